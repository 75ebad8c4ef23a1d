/*
** The Cortex-M DSP kernels (Sources/DigitInferKernels/arm_dsp.h) on the
** host, in their plain-C form (the same integers as smlad and sxtb16),
** against a direct convolution and dense layer written here, on random
** shapes: every output position, pooled and unpooled passes, odd channel
** counts, kernel rows that are not multiples of four, dense tails. The
** firmware checks the DSP form against the golden vectors; this checks the
** cases those models do not reach (an unpooled conv, most of all).
** Prints "dsp kernels: N passed, M failed" (tools/embedded/test-qemu.sh).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "arm_dsp.h"

static uint32_t seed = 12345;
static int32_t rnd(int32_t lo, int32_t hi) { /* inclusive */
  seed = seed * 1664525u + 1013904223u;
  return lo + (int32_t)((seed >> 8) % (uint32_t)(hi - lo + 1));
}

static int failed, passed;

static void check_conv(void) {
  enum { MAXN = 12 * 12 * 5, MAXW = 7 * 5 * 5 * 5 };
  static uint8_t input[MAXN], out[MAXN * 8], want[MAXN * 8];
  static int8_t weights[MAXW];
  static int32_t bias[16], mult[16], params[48], acc[12 * 12 * 8];
  static uint8_t shift[16];
  static int16_t work[4 * 5 * 5 * 5];
  int32_t in_h = rnd(1, 12), in_w = rnd(1, 12), in_c = rnd(1, 5), out_c = rnd(1, 7);
  int32_t kh = rnd(1, in_h < 5 ? in_h : 5), kw = rnd(1, in_w < 5 ? in_w : 5);
  int32_t out_h = in_h - kh + 1, out_w = in_w - kw + 1, pooled = rnd(0, 1) && out_h >= 2 && out_w >= 2;
  int32_t in_zp = rnd(-128, 127), out_zp = rnd(-128, 127), relu = rnd(0, 1), k = kh * kw * in_c;
  for (int32_t i = 0; i < in_h * in_w * in_c; i++) input[i] = (uint8_t)rnd(0, 255);
  for (int32_t i = 0; i < out_c * k; i++) weights[i] = (int8_t)rnd(-127, 127);
  for (int32_t c = 0; c < out_c; c++) {
    bias[c] = rnd(-100000, 100000);
    mult[c] = rnd(1 << 29, 0x7FFFFFFF);
    shift[c] = (uint8_t)rnd(0, 12);
  }
  dgi_dsp_pack_params(params, bias, mult, shift, out_c);
  /* The direct definition: sum over the window of (q - zp) w, plus the bias. */
  for (int32_t oy = 0; oy < out_h; oy++)
    for (int32_t ox = 0; ox < out_w; ox++)
      for (int32_t c = 0; c < out_c; c++) {
        int32_t s = bias[c];
        for (int32_t r = 0; r < kh; r++)
          for (int32_t x = 0; x < kw; x++)
            for (int32_t ci = 0; ci < in_c; ci++)
              s += ((int32_t)input[((oy + r) * in_w + ox + x) * in_c + ci] - 128 - in_zp) *
                   weights[((c * kh + r) * kw + x) * in_c + ci];
        acc[(oy * out_w + ox) * out_c + c] = s;
      }
  int32_t grid_h = pooled ? out_h / 2 : out_h, grid_w = pooled ? out_w / 2 : out_w;
  for (int32_t gy = 0; gy < grid_h; gy++)
    for (int32_t gx = 0; gx < grid_w; gx++)
      for (int32_t c = 0; c < out_c; c++) {
        int32_t s = acc[(gy * out_w + gx) * out_c + c];
        if (pooled) { /* the maximum of the four taps' accumulators */
          s = acc[(2 * gy * out_w + 2 * gx) * out_c + c];
          for (int32_t t = 1; t < 4; t++) {
            int32_t v = acc[((2 * gy + t / 2) * out_w + 2 * gx + t % 2) * out_c + c];
            s = v > s ? v : s;
          }
        }
        want[(gy * grid_w + gx) * out_c + c] = dgi_dsp_output(s, mult[c], shift[c], out_zp, relu ? out_zp : -128);
      }
  dgi_conv_job j = {input, out, weights, params, in_w, in_c, kh, kw * in_c, out_c, grid_h, grid_w, pooled,
                    in_zp, out_zp, relu, work};
  memset(out, 0xEE, sizeof out);
  dgi_dsp_conv(&j);
  if (memcmp(out, want, (size_t)grid_h * grid_w * out_c) == 0) {
    passed++;
  } else {
    failed++;
    printf("FAIL conv %dx%dx%d kernel %dx%d out_c %d pooled %d\n", in_h, in_w, in_c, kh, kw, out_c, pooled);
  }
}

static void check_dense(void) {
  static uint8_t input[700], out[16], want[16];
  static int16_t widened[700];
  static int8_t weights[16 * 700];
  static int32_t bias[16], mult[16];
  static uint8_t shift[16];
  int32_t n = rnd(1, 700), out_c = rnd(1, 16), in_zp = rnd(-128, 127), out_zp = rnd(-128, 127), relu = rnd(0, 1);
  for (int32_t i = 0; i < n; i++) input[i] = (uint8_t)rnd(0, 255);
  for (int32_t i = 0; i < out_c * n; i++) weights[i] = (int8_t)rnd(-127, 127);
  for (int32_t o = 0; o < out_c; o++) {
    bias[o] = rnd(-100000, 100000);
    mult[o] = rnd(1 << 29, 0x7FFFFFFF);
    shift[o] = (uint8_t)rnd(0, 12);
    int32_t s = bias[o];
    for (int32_t i = 0; i < n; i++) s += ((int32_t)input[i] - 128 - in_zp) * weights[o * n + i];
    want[o] = dgi_dsp_output(s, mult[o], shift[o], out_zp, relu ? out_zp : -128);
  }
  dgi_dsp_widen(widened, input, n, in_zp);
  dgi_dense_job j = {widened, out, weights, bias, mult, shift, n, out_c, in_zp, out_zp, relu};
  dgi_dsp_dense(&j);
  if (memcmp(out, want, (size_t)out_c) == 0) {
    passed++;
  } else {
    failed++;
    printf("FAIL dense n %d out_c %d\n", n, out_c);
  }
}

int main(void) {
  for (int i = 0; i < 3000; i++) check_conv();
  for (int i = 0; i < 1000; i++) check_dense();
  printf("dsp kernels: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
