/*
** Draws the input images of Tests/DigitInferTests/Golden/preprocess-expected.txt
** with the C tests' own generator (pic_random in Tests/c/support.c), so that
** tests/test_preprocess.py can run them through the Python binding and
** compare with the golden lines. The case table is copied from
** golden_line() in Tests/c/test_preprocess.c; the golden file's input
** checksums catch any drift between the two.
**
** Writes to stdout, per case: six little-endian uint32 (case, width,
** height, stride, flags, kind), then (height - 1) * stride + width bytes
** (rows at `stride`, the padding between rows filled with other bytes).
**
** Build: cc -I PREFIX/include -I Tests/c preprocess_inputs.c Tests/c/support.c
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"


static void put_u32(uint32_t v) {
  unsigned char b[4];
  write_u32le(b, v);
  fwrite(b, 1, 4, stdout);
}

int main(void) {
  uint32_t padding_rng = 4242;
  int i;
  for (i = 0; i < GOLDEN_CASES; i++) {
    preprocess_case c = golden_preprocess_case(i);
    uint32_t w = c.width, h = c.height, rng = c.seed, flags = c.flags;
    size_t stride = c.stride, need = (size_t)(h - 1) * stride + w, k;
    int kind = c.kind;
    picture pic;
    unsigned char *buffer = (unsigned char *)malloc(need);
    if (!buffer) return 2;
    for (k = 0; k < need; k++) buffer[k] = (unsigned char)(lcg_next(&padding_rng) >> 24);
    pic.pixels = buffer, pic.width = w, pic.height = h, pic.stride = stride;
    pic_random(&pic, kind, &rng);
    put_u32((uint32_t)i), put_u32(w), put_u32(h), put_u32((uint32_t)stride), put_u32(flags), put_u32((uint32_t)kind);
    fwrite(buffer, 1, need, stdout);
    free(buffer);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
