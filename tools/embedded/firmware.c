/*
** Bare-metal startup and platform for the QEMU mps2 boards (Cortex-M3
** mps2-an385, Cortex-M4 mps2-an386): vector table, reset handler, ARM
** semihosting for output and the exit status, the few libc functions the
** runtime and the harness use, stack painting and SysTick timing for the
** measurements. No heap: there is no malloc, and the link proves nothing
** asks for one.
*/
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/* ---- semihosting (bkpt 0xab; r0 = operation, r1 = argument) -------------- */

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static void write0(const char *s) { semihost(SYS_WRITE0, s); }

__attribute__((noreturn)) static void exit_with(int status) {
  uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  semihost(SYS_EXIT_EXTENDED, block);
  for (;;) __asm__ volatile("wfi");
}

void platform_write(const char *text) { write0(text); }

/* ---- libc: what clang and the Swift runtime code call ---------------------- */
/* (built with -ffreestanding -fno-builtin so these loops stay loops) */

void *memset(void *d, int c, size_t n) {
  unsigned char *p = (unsigned char *)d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = (unsigned char *)d;
  const unsigned char *q = (const unsigned char *)s;
  while (n--) *p++ = *q++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *p = (unsigned char *)d;
  const unsigned char *q = (const unsigned char *)s;
  if (p < q) {
    while (n--) *p++ = *q++;
  } else {
    while (n--) p[n] = q[n];
  }
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p < *q ? -1 : 1;
  return 0;
}
/* The ARM EABI names (note the argument order of __aeabi_memset). */
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

/* Swift enables stack protectors: a canary and what to do when it dies. */
uintptr_t __stack_chk_guard = 0x5f3759dfu;
__attribute__((noreturn)) void __stack_chk_fail(void) {
  write0("fatal: stack smashing detected\n");
  exit_with(4);
}

/* ---- measurements ------------------------------------------------------------ */

extern uint32_t __stack_bottom[], __stack_top[];
#define STACK_PAINT 0xA5A5A5A5u

/* Paints [bottom, sp) without touching the stack itself (firmware-asm.S). */
void fw_paint_stack(uint32_t *bottom);
uint32_t fw_read_sp(void);
void fw_spin(uint32_t iterations); /* exactly 2 instructions per iteration */

/* SysTick, free-running from the processor clock. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static void systick_start(void) {
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5u; /* enable, processor clock, no interrupt */
}
static uint32_t systick_now(void) { return SYST_CVR; }
static uint32_t ticks_since(uint32_t start) { return (start - systick_now()) & 0x00FFFFFFu; }

static uint32_t lowest_touched(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)(uintptr_t)p;
}

typedef struct probe {
  const char *what, *detail;
  uint32_t calls, stack_max, ticks_min, ticks_max;
  uint64_t ticks_sum;
} probe;
static probe probes[16];
static uint32_t probe_sp, probe_start, overall_peak;

void platform_probe_begin(void) {
  fw_paint_stack(__stack_bottom);
  probe_sp = fw_read_sp();
  probe_start = systick_now();
}

static int same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

void platform_probe_end(const char *what, const char *detail) {
  uint32_t ticks = ticks_since(probe_start), low = lowest_touched();
  uint32_t stack = probe_sp > low ? probe_sp - low : 0, peak = (uint32_t)(uintptr_t)__stack_top - low;
  size_t i;
  if (peak > overall_peak) overall_peak = peak;
  for (i = 0; i < sizeof probes / sizeof *probes; i++) {
    probe *p = &probes[i];
    if (p->what == NULL) {
      p->what = what, p->detail = detail, p->ticks_min = 0xFFFFFFFFu;
    } else if (!same(p->what, what) || !same(p->detail, detail)) {
      continue;
    }
    p->calls++;
    if (stack > p->stack_max) p->stack_max = stack;
    if (ticks < p->ticks_min) p->ticks_min = ticks;
    if (ticks > p->ticks_max) p->ticks_max = ticks;
    p->ticks_sum += ticks;
    return;
  }
}

/* Minimal decimal output for the measurement lines. */
static char *put_u(char *p, uint64_t v) {
  char d[24];
  int n = 0;
  do d[n++] = (char)('0' + (int)(v % 10u)), v /= 10u;
  while (v);
  while (n) *p++ = d[--n];
  return p;
}
static char *put_s(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

/* Instructions per SysTick tick under -icount shift=0 (1 ns per
   instruction): measured with a loop of known length, times 1000. */
static uint32_t calibrate(void) {
  uint32_t start = systick_now(), ticks;
  fw_spin(500000); /* 1,000,000 instructions */
  ticks = ticks_since(start);
  return ticks ? (uint32_t)(1000000000ull / ticks) : 0;
}

static void report(void) {
  char text[256], *p;
  uint32_t per_tick_milli = calibrate();
  size_t i;
  p = put_s(text, "measure instructions-per-tick ");
  p = put_u(p, per_tick_milli / 1000u);
  *p++ = '.';
  p = put_u(p, per_tick_milli % 1000u / 100u);
  p = put_s(p, " (SysTick; meaningful with -icount shift=0)\n");
  *p = '\0';
  write0(text);
  for (i = 0; i < sizeof probes / sizeof *probes && probes[i].what; i++) {
    const probe *q = &probes[i];
    uint64_t avg = q->ticks_sum / q->calls;
    p = put_s(text, "measure ");
    p = put_s(p, q->what);
    *p++ = ' ';
    p = put_s(p, q->detail);
    p = put_s(p, " calls ");
    p = put_u(p, q->calls);
    p = put_s(p, " stack ");
    p = put_u(p, q->stack_max);
    p = put_s(p, " instructions min ");
    p = put_u(p, (uint64_t)q->ticks_min * per_tick_milli / 1000u);
    p = put_s(p, " avg ");
    p = put_u(p, avg * per_tick_milli / 1000u);
    p = put_s(p, " max ");
    p = put_u(p, (uint64_t)q->ticks_max * per_tick_milli / 1000u);
    p = put_s(p, "\n");
    *p = '\0';
    write0(text);
  }
  p = put_s(text, "measure stack peak ");
  p = put_u(p, overall_peak);
  p = put_s(p, " of ");
  p = put_u(p, (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom));
  p = put_s(p, " bytes (whole program)\n");
  *p = '\0';
  write0(text);
}

/* ---- reset and faults ---------------------------------------------------------- */

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];

__attribute__((noreturn)) void Reset_Handler(void) {
  uint32_t *d = __data_start, *s = __data_load;
  int status;
#ifdef FW_ENABLE_FPU
  /* Swift's armv7em code uses the Cortex-M4F's single-precision FPU (with
     the soft-float calling convention): grant access to CP10 and CP11. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  while (d < __data_end) *d++ = *s++;
  for (d = __bss_start; d < __bss_end; d++) *d = 0;
  fw_paint_stack(__stack_bottom);
  systick_start();
  status = harness_main();
  {
    uint32_t peak = (uint32_t)(uintptr_t)__stack_top - lowest_touched();
    if (peak > overall_peak) overall_peak = peak;
  }
  report();
  exit_with(status);
}

__attribute__((noreturn)) void Fault_Handler(void) {
  write0("fatal: processor fault\n");
  exit_with(3);
}

typedef void (*vector)(void);
__attribute__((section(".vectors"), used)) const vector vectors[16] = {
    (vector)(uintptr_t)__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, /* SP, reset, NMI, HardFault */
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,                     /* MemManage, BusFault, UsageFault */
    Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler};              /* SVC, DebugMon, PendSV, SysTick */
