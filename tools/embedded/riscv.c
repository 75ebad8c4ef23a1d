/*
** RISC-V part of the firmware (QEMU virt, rv32imc code, machine mode with
** no firmware below it: -bios none): the timer and the trap handler. The
** reset code, the semihosting call (an ebreak between two marker
** instructions) and the atomics are in riscv.S.
*/
#include <stdint.h>

#include "arch.h"

/* The CLINT's mtime (low word) runs at virt's 10 MHz timebase: under
   -icount shift=0, one tick per 100 instructions, the same virtual clock
   the other boards' timers count (calibrate() in firmware.c measures it;
   the minstret counter agrees within 0.1 %). */
#define CLINT_MTIME (*(volatile uint32_t *)0x0200BFF8u)
const uint32_t arch_tick_mask = 0xFFFFFFFFu;
void arch_timer_start(void) {}
uint32_t arch_ticks(void) { return CLINT_MTIME; }

/* mtvec points here (riscv.S): any trap ends the run. */
__attribute__((noreturn)) void arch_trap(void) { firmware_fault("processor trap"); }
