/* Building one output line at a time for the firmware's test programs
   (harness.c, cmsis-nn.c), with no libc: integers in decimal, bit patterns
   in hex; end_line() hands the line to platform_write. Static, so each
   program has its own line. */
#ifndef FW_TEXT_H
#define FW_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"

static char line[512];
static size_t used;

static inline void put_str(const char *s) {
  while (*s && used < sizeof line - 2) line[used++] = *s++; /* room for "\n\0" */
}
static inline void put_ch(char c) {
  if (used < sizeof line - 2) line[used++] = c;
}
static inline void put_u64(uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v);
  while (n) put_ch(digits[--n]);
}
static inline void put_u(uint32_t v) { put_u64(v); }
static inline void put_i(int32_t v) {
  if (v < 0) {
    put_ch('-');
    put_u64((uint64_t)0 - (uint64_t)(int64_t)v);
  } else {
    put_u64((uint64_t)v);
  }
}
static inline void put_hex(uint64_t v, int digits) {
  static const char hex[] = "0123456789abcdef";
  while (digits--) put_ch(hex[(v >> (4 * digits)) & 15u]);
}
static inline void put_float(float f) {
  union {
    float f;
    uint32_t bits;
  } u;
  u.f = f;
  put_hex(u.bits, 8);
}
static inline void end_line(void) {
  line[used++] = '\n';
  line[used] = '\0';
  platform_write(line);
  used = 0;
}

#endif
