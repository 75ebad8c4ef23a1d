/* Stack painting, SP, and a loop of known length (Thumb; every Cortex-M). */
  .syntax unified
  .thumb
  .text

/* void fw_paint_stack(uint32_t *bottom): fills [bottom, sp) with 0xA5A5A5A5,
   using registers only, so everything below the caller's frame is painted. */
  .global fw_paint_stack
  .type fw_paint_stack, %function
  .thumb_func
fw_paint_stack:
  ldr r1, =0xA5A5A5A5
  mov r2, sp
1:
  cmp r0, r2
  bhs 2f
  str r1, [r0]
  adds r0, r0, #4
  b 1b
2:
  bx lr
  .size fw_paint_stack, . - fw_paint_stack

  .global fw_read_sp
  .type fw_read_sp, %function
  .thumb_func
fw_read_sp:
  mov r0, sp
  bx lr
  .size fw_read_sp, . - fw_read_sp

/* void fw_spin(uint32_t n): n iterations of two instructions. */
  .global fw_spin
  .type fw_spin, %function
  .thumb_func
fw_spin:
1:
  subs r0, r0, #1
  bne 1b
  bx lr
  .size fw_spin, . - fw_spin
  .ltorg
