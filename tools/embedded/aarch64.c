/*
** AArch64 part of the firmware (QEMU virt, -cpu cortex-a53 / cortex-a76, at
** EL1): semihosting through hlt #0xf000, the generic timer's virtual count
** as the timer, and the exception handler. The reset code, which turns on
** the FPU and an identity-mapped MMU first (without the MMU every access is
** Device memory, where unaligned loads fault), is in aarch64.S.
*/
#include <stdint.h>

#include "arch.h"

uintptr_t arch_semihost(uint32_t op, const void *arg) {
  register uint64_t x0 __asm__("x0") = op;
  register const void *x1 __asm__("x1") = arg;
  __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  return (uintptr_t)x0;
}

/* CNTVCT_EL0 runs at CNTFRQ (62.5 MHz on virt): under -icount shift=0, one
   tick per 16 instructions; calibrate() in firmware.c measures it. */
const uint32_t arch_tick_mask = 0xFFFFFFFFu;
void arch_timer_start(void) {}
uint32_t arch_ticks(void) {
  uint64_t v;
  __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
  return (uint32_t)v;
}

/* Every exception vector branches here (aarch64.S). */
__attribute__((noreturn)) void arch_exception(void) { firmware_fault("processor exception"); }
