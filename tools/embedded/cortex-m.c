/*
** Cortex-M part of the firmware (QEMU mps2-an385 Cortex-M3, mps2-an386
** Cortex-M4; the M0 code runs on the M3): vector table, reset handler,
** semihosting through bkpt 0xab, SysTick as the timer, and the ARM EABI
** names of the memory functions.
*/
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

uintptr_t arch_semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* SysTick, free-running from the processor clock, counts down 24 bits. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

const uint32_t arch_tick_mask = 0x00FFFFFFu;
void arch_timer_start(void) {
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5u; /* enable, processor clock, no interrupt */
}
uint32_t arch_ticks(void) { return 0x00FFFFFFu - SYST_CVR; /* counting up */ }

/* The ARM EABI names of the memory functions (firmware.c); note the
   argument order of __aeabi_memset. */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }

__attribute__((noreturn)) void Reset_Handler(void) {
#ifdef FW_ENABLE_FPU
  /* Swift's armv7em code uses the Cortex-M4F's single-precision FPU (with
     the soft-float calling convention): grant access to CP10 and CP11. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  firmware_start();
}

__attribute__((noreturn)) void Fault_Handler(void) { firmware_fault("processor fault"); }

extern uint32_t __stack_top[];
typedef void (*vector)(void);
__attribute__((section(".vectors"), used)) const vector vectors[16] = {
    (vector)(uintptr_t)__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, /* SP, reset, NMI, HardFault */
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,                     /* MemManage, BusFault, UsageFault */
    Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler};              /* SVC, DebugMon, PendSV, SysTick */
