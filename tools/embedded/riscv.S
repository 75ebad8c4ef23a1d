/* RISC-V part of the firmware (arch.h): reset code, the trap vector, the
   semihosting call, stack painting, SP, a loop of known length, and the
   atomics that rv32imc (no A extension) leaves to a library. */
  .section .text.boot, "ax"
  .global _start
_start:
  la sp, __stack_top
  la t0, trap
  csrw mtvec, t0
  call firmware_start
1:
  j 1b

  .balign 4
trap:
  j arch_trap

  .text
/* uintptr_t arch_semihost(uint32_t op, const void *arg): the RISC-V
   semihosting sequence, uncompressed and within one page (QEMU checks the
   instructions around the ebreak); op in a0, arg in a1, result in a0. */
  .global arch_semihost
  .type arch_semihost, @function
  .balign 16
arch_semihost:
  .option push
  .option norvc
  slli x0, x0, 0x1f
  ebreak
  srai x0, x0, 7
  .option pop
  ret
  .size arch_semihost, . - arch_semihost

/* void fw_paint_stack(uint32_t *bottom): registers only. */
  .global fw_paint_stack
  .type fw_paint_stack, @function
fw_paint_stack:
  li t0, 0xA5A5A5A5
1:
  bgeu a0, sp, 2f
  sw t0, 0(a0)
  addi a0, a0, 4
  j 1b
2:
  ret
  .size fw_paint_stack, . - fw_paint_stack

  .global fw_read_sp
  .type fw_read_sp, @function
fw_read_sp:
  mv a0, sp
  ret
  .size fw_read_sp, . - fw_read_sp

/* void fw_spin(uint32_t n): n iterations of two instructions. */
  .global fw_spin
  .type fw_spin, @function
fw_spin:
1:
  addi a0, a0, -1
  bnez a0, 1b
  ret
  .size fw_spin, . - fw_spin

/* The 4-byte atomics Swift's one-time initialisation calls, which rv32imc
   (like ARMv6-M) has no instructions for: one hart with machine interrupts
   masked (mstatus.MIE, bit 3) makes each atomic. */
  .global __atomic_load_4
  .type __atomic_load_4, @function
__atomic_load_4:          /* (const uint32_t *p, int order) */
  csrrci t1, mstatus, 8
  lw a0, 0(a0)
  csrw mstatus, t1
  ret
  .size __atomic_load_4, . - __atomic_load_4

  .global __atomic_store_4
  .type __atomic_store_4, @function
__atomic_store_4:         /* (uint32_t *p, uint32_t value, int order) */
  csrrci t1, mstatus, 8
  sw a1, 0(a0)
  csrw mstatus, t1
  ret
  .size __atomic_store_4, . - __atomic_store_4

/* bool __atomic_compare_exchange_4(uint32_t *p, uint32_t *expected,
   uint32_t desired, int success_order, int failure_order) */
  .global __atomic_compare_exchange_4
  .type __atomic_compare_exchange_4, @function
__atomic_compare_exchange_4:
  csrrci t1, mstatus, 8
  lw t0, 0(a0)
  lw t2, 0(a1)
  bne t0, t2, 1f
  sw a2, 0(a0)
  csrw mstatus, t1
  li a0, 1
  ret
1:
  sw t0, 0(a1)
  csrw mstatus, t1
  li a0, 0
  ret
  .size __atomic_compare_exchange_4, . - __atomic_compare_exchange_4
