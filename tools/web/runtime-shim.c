/*
** The little that the wasm32 build of libdigitinfer needs besides the
** runtime itself (tools/web/build.sh links it into digitinfer.wasm):
**
**   - __multi3, the 128-bit multiply that LLVM calls for the runtime's
**     overflow-checked UInt64 products (there is no compiler-rt for wasm32
**     in the toolchain);
**   - a bump allocator over the module's own linear memory, for the page:
**     the model bytes, the dgi_model record, scratch buffers and images live
**     there. The runtime itself never allocates; this is the caller's memory.
**
** Compiled with clang --target=wasm32 -nostdlib: no libc, no imports.
*/
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name))) name

/* The low 128 bits of a * b, from 64-bit halves (i64 is native in wasm). */
typedef union {
  __int128 all;
  struct {
    uint64_t lo, hi; /* wasm is little-endian */
  } s;
} twords;

__int128 __multi3(__int128 a, __int128 b) {
  twords x, y, r;
  uint64_t a0, a1, b0, b1, p00, p01, p10, mid;
  x.all = a;
  y.all = b;
  a0 = (uint32_t)x.s.lo, a1 = x.s.lo >> 32, b0 = (uint32_t)y.s.lo, b1 = y.s.lo >> 32;
  p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  r.s.lo = (mid << 32) | (uint32_t)p00;
  r.s.hi = a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + x.s.lo * y.s.hi + x.s.hi * y.s.lo;
  return r.all;
}

/* ---- the page's memory: a bump region above the stack and static data ---- */

extern unsigned char __heap_base; /* defined by wasm-ld */
static uintptr_t heap_top;

/* n bytes, 16-aligned, growing the memory as needed; 0 if it cannot.
   Growing the memory detaches JavaScript's views of the old buffer: make
   new ones after each call. */
void *EXPORT(web_alloc)(size_t n) {
  uintptr_t p, end, have;
  if (!heap_top) heap_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
  p = heap_top;
  if (n > SIZE_MAX - p - 15) return 0;
  end = (p + n + 15) & ~(uintptr_t)15;
  have = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return 0;
  heap_top = end;
  return (void *)p;
}

/* Where the next web_alloc starts; pass it to web_release to free all
   that was allocated since (a stack discipline). */
uintptr_t EXPORT(web_mark)(void) {
  if (!heap_top) heap_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
  return heap_top;
}

void EXPORT(web_release)(uintptr_t mark) {
  if (mark >= (((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15) && mark <= web_mark()) heap_top = mark;
}
