/*
** The bare-metal firmware's processor-independent part, for every QEMU
** board of test-qemu.sh (Cortex-M mps2, AArch64 virt): semihosting output
** and exit status, the few libc functions the runtime and the harness use,
** stack painting and timer-based measurements, and the start-up sequence.
** The processor-specific parts are behind arch.h (cortex-m.c, aarch64.c).
** No heap: there is no malloc, and the link proves nothing asks for one.
*/
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "platform.h"

/* ---- semihosting ------------------------------------------------------------ */

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static void write0(const char *s) { arch_semihost(SYS_WRITE0, s); }

__attribute__((noreturn)) static void exit_with(int status) {
  uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)status}; /* register-sized fields */
  arch_semihost(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
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
/* Swift enables stack protectors: a canary and what to do when it dies. */
uintptr_t __stack_chk_guard = 0x5f3759dfu;
__attribute__((noreturn)) void __stack_chk_fail(void) {
  write0("fatal: stack smashing detected\n");
  exit_with(4);
}

/* ---- measurements ------------------------------------------------------------ */

extern uint32_t __stack_bottom[], __stack_top[];
#define STACK_PAINT 0xA5A5A5A5u

static uint32_t ticks_since(uint32_t start) { return (arch_ticks() - start) & arch_tick_mask; }

static uint32_t lowest_touched(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)(uintptr_t)p; /* RAM lies below 4 GiB on every board */
}

typedef struct probe {
  const char *what, *detail;
  uint32_t calls, stack_max, ticks_min, ticks_max;
  uint64_t ticks_sum;
} probe;
static probe probes[24];
static uint32_t probe_sp, probe_start, overall_peak;

static void note_peak(void) {
  uint32_t peak = (uint32_t)(uintptr_t)__stack_top - lowest_touched();
  if (peak > overall_peak) overall_peak = peak;
}

void platform_probe_begin(void) {
  note_peak(); /* what ran since the last painting, before painting again */
  fw_paint_stack(__stack_bottom);
  probe_sp = (uint32_t)fw_read_sp();
  probe_start = arch_ticks();
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

/* Instructions per timer tick under -icount shift=0 (1 ns per
   instruction): measured with a loop of known length, times 1000. */
static uint32_t calibrate(void) {
  uint32_t start = arch_ticks(), ticks;
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
  p = put_s(p, " (timer; meaningful with -icount shift=0)\n");
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

/* ---- start and faults ---------------------------------------------------------- */

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];

__attribute__((noreturn)) void firmware_start(void) {
  uint32_t *d = __data_start, *s = __data_load;
  int status;
  if (d != s)
    while (d < __data_end) *d++ = *s++;
  for (d = __bss_start; d < __bss_end; d++) *d = 0;
  fw_paint_stack(__stack_bottom);
  arch_timer_start();
  status = harness_main();
  note_peak();
  report();
  exit_with(status);
}

__attribute__((noreturn)) void firmware_fault(const char *what) {
  write0("fatal: ");
  write0(what);
  write0("\n");
  exit_with(3);
}
