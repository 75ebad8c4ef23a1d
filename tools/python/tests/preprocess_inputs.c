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

static const uint32_t golden_sizes[][2] = {
    {1, 1},     {2, 2},     {3, 1},     {1, 3},     {1, 60},    {60, 1},    {5, 5},    {12, 9},
    {28, 28},   {28, 28},   {20, 28},   {28, 20},   {32, 32},   {45, 60},   {64, 64},  {96, 72},
    {100, 100}, {127, 129}, {128, 128}, {129, 7},   {7, 129},   {150, 200}, {200, 150}, {255, 257},
    {300, 200}, {200, 300}, {33, 400},  {400, 33},  {512, 384}, {640, 480}, {1000, 40}, {40, 1000},
    {999, 3},   {3, 999},   {801, 601}, {257, 1025}};
#define GOLDEN_CASES 96
static const int golden_kinds[] = {PIC_DIGIT, PIC_DIRTY,  PIC_GRADIENT, PIC_LINE,  PIC_BLOBS, PIC_DIGIT,
                                   PIC_SCRIBBLE, PIC_BLANK, PIC_NOISE, PIC_DIGIT, PIC_FAINT, PIC_PEPPER,
                                   PIC_DIRTY, PIC_GRADIENT};

static void put_u32(uint32_t v) {
  unsigned char b[4];
  write_u32le(b, v);
  fwrite(b, 1, 4, stdout);
}

int main(void) {
  uint32_t padding_rng = 4242;
  int i;
  for (i = 0; i < GOLDEN_CASES; i++) {
    const uint32_t *wh = golden_sizes[i % (int)(sizeof golden_sizes / sizeof *golden_sizes)];
    uint32_t w = wh[0], h = wh[1], rng = 0x9E3779B9u * (uint32_t)(i + 1);
    uint32_t flags = i % 6 == 4 ? DGI_INK_DARK : i % 6 == 5 ? DGI_INK_LIGHT : DGI_INK_AUTO;
    size_t stride = w + (i % 4 == 3 ? 13 : 0), need = (size_t)(h - 1) * stride + w, k;
    int kind = golden_kinds[i % (int)(sizeof golden_kinds / sizeof *golden_kinds)];
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
