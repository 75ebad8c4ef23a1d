/*
** What each processor family's startup code (cortex-m.c + cortex-m.S,
** aarch64.c + aarch64.S) gives the bare-metal firmware (firmware.c), which
** holds everything that does not depend on the processor: the libc
** functions, the measurements and the start-up sequence.
*/
#ifndef FW_ARCH_H
#define FW_ARCH_H

#include <stdint.h>

/* One ARM semihosting call (operation, parameter block); returns r0/x0. */
uintptr_t arch_semihost(uint32_t op, const void *arg);

/* A free-running counter driven by the processor clock (under QEMU's
   -icount shift=0: by the instruction count), and how many of its low bits
   count: elapsed = (arch_ticks() - start) & ARCH_TICK_MASK. */
void arch_timer_start(void);
uint32_t arch_ticks(void);
extern const uint32_t arch_tick_mask;

/* Assembly (cortex-m.S, aarch64.S): fills [bottom, sp) with 0xA5A5A5A5
   without touching the stack; the stack pointer; n iterations of exactly
   two instructions (to calibrate the timer). */
void fw_paint_stack(uint32_t *bottom);
uintptr_t fw_read_sp(void);
void fw_spin(uint32_t iterations);

/* firmware.c: copies .data, zeroes .bss, paints the stack, runs the harness,
   prints the measurements and exits through semihosting with its status.
   Called by the reset code once the processor is ready for C. */
__attribute__((noreturn)) void firmware_start(void);
/* firmware.c: prints "fatal: <what>" and exits with status 3. */
__attribute__((noreturn)) void firmware_fault(const char *what);

#endif
