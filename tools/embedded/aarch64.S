/* AArch64 part of the firmware (arch.h): reset code, exception vectors,
   the identity map, stack painting, SP, and a loop of known length. */
  .section .text.boot, "ax"
  .global _start
_start:
  ldr x0, =__stack_top
  mov sp, x0
  /* FP and Advanced SIMD at EL1 (CPACR_EL1.FPEN): Swift and clang use them. */
  mov x0, #(3 << 20)
  msr cpacr_el1, x0
  ldr x0, =vectors
  msr vbar_el1, x0
  isb
  /* MMU on, one level-1 table of 1 GiB blocks (below): MAIR attribute 0
     Device-nGnRnE, attribute 1 Normal write-back; TCR: 39-bit addresses
     (T0SZ 25), 4 KiB granule, inner-shareable write-back walks, no TTBR1
     walks (EPD1), 40-bit physical addresses. */
  ldr x0, =0xFF00
  msr mair_el1, x0
  ldr x0, =0x200803519
  msr tcr_el1, x0
  ldr x0, =page_table
  msr ttbr0_el1, x0
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #(1 << 0)   /* M: MMU */
  orr x0, x0, #(1 << 2)   /* C: data cache */
  orr x0, x0, #(1 << 12)  /* I: instruction cache */
  bic x0, x0, #(1 << 1)   /* A: no alignment checks */
  msr sctlr_el1, x0
  isb
  bl firmware_start
1:
  b 1b
  .ltorg

/* Sixteen entries of 128 bytes; every exception ends the run. */
  .section .text.vectors, "ax"
  .balign 2048
vectors:
  .rept 16
  .balign 128
  b arch_exception
  .endr

/* 0-1 GiB: devices (UART, GIC, flash); 1-2 GiB: the RAM at 0x40000000,
   Normal, inner shareable. Block descriptors: bit 0 valid, bits 4:2 the
   MAIR index, bits 9:8 shareability, bit 10 the access flag. */
  .section .rodata.page_table, "a"
  .balign 4096
page_table:
  .quad 0x00000000 | (1 << 10) | (0 << 2) | 1
  .quad 0x40000000 | (1 << 10) | (3 << 8) | (1 << 2) | 1
  .fill 510, 8, 0

  .text
/* void fw_paint_stack(uint32_t *bottom): registers only. */
  .global fw_paint_stack
  .type fw_paint_stack, %function
fw_paint_stack:
  ldr w1, =0xA5A5A5A5
  mov x2, sp
1:
  cmp x0, x2
  b.hs 2f
  str w1, [x0], #4
  b 1b
2:
  ret
  .size fw_paint_stack, . - fw_paint_stack

  .global fw_read_sp
  .type fw_read_sp, %function
fw_read_sp:
  mov x0, sp
  ret
  .size fw_read_sp, . - fw_read_sp

/* void fw_spin(uint32_t n): n iterations of two instructions. */
  .global fw_spin
  .type fw_spin, %function
fw_spin:
1:
  subs w0, w0, #1
  b.ne 1b
  ret
  .size fw_spin, . - fw_spin
  .ltorg
