/* Cortex-M part of the firmware (arch.h): stack painting, SP, and a loop
   of known length (Thumb; every Cortex-M); ARMv6-M atomics. */
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

#ifdef __ARM_ARCH_6M__
/* ARMv6-M (Cortex-M0/M0+) has no LDREX/STREX, so the compiler calls these
   for Swift's atomics (one-time initialisation). A single core with the
   interrupts masked makes them atomic. */
  .global __atomic_load_4
  .type __atomic_load_4, %function
  .thumb_func
__atomic_load_4:
  ldr r0, [r0]
  bx lr
  .size __atomic_load_4, . - __atomic_load_4

  .global __atomic_store_4
  .type __atomic_store_4, %function
  .thumb_func
__atomic_store_4:
  str r1, [r0]
  bx lr
  .size __atomic_store_4, . - __atomic_store_4

/* bool __atomic_compare_exchange_4(uint32_t *p, uint32_t *expected,
   uint32_t desired, int success_order, int failure_order) */
  .global __atomic_compare_exchange_4
  .type __atomic_compare_exchange_4, %function
  .thumb_func
__atomic_compare_exchange_4:
  push {r4, r5}
  mrs r3, primask
  cpsid i
  ldr r4, [r0]
  ldr r5, [r1]
  cmp r4, r5
  bne 1f
  str r2, [r0]
  movs r0, #1
  b 2f
1:
  str r4, [r1]
  movs r0, #0
2:
  msr primask, r3
  pop {r4, r5}
  bx lr
  .size __atomic_compare_exchange_4, . - __atomic_compare_exchange_4
#endif
