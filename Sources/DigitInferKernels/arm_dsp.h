/*
** Cortex-M kernels for the DSP extension (Armv7E-M: Cortex-M4, M7; Armv8-M
** Mainline with DSP: M33), in the style of CMSIS-NN: smlad multiplies two
** pairs of int16 halves and adds both products to an accumulator; sxtb16
** sign-extends bytes 0 and 2 of a word (or, rotated by 8, bytes 1 and 3)
** into two int16 halves. Without the extension the same functions compile
** to plain C with the same integers (DGI_SMLAD below), so that every
** 32-bit Arm build has them; the library offers the set only where the
** extension is there.
**
** Weights are read in place, in the file's layout: channel c's K =
** kh * kw * in_c weights are contiguous, and four of them become the pairs
** (w0, w2) and (w1, w3). The inputs are laid out to match ("im2col"): for
** each output position, its K staged values q - zp as int16, each group of
** four stored as (x0, x2, x1, x3), a tail of K % 4 in order. One pass
** computes two output channels at two positions: four accumulators, each
** smlad two MACs.
*/
#ifndef DIGITINFER_ARM_DSP_H
#define DIGITINFER_ARM_DSP_H

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define DGI_SMLAD(a, b, acc) __smlad((a), (b), (acc))
#define DGI_SXTB16(x) __sxtb16(x)
#define DGI_SXTB16_ROR8(x) __sxtb16(__ror((x), 8))
#else
DGI_INLINE int32_t DGI_SMLAD(uint32_t a, uint32_t b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)((int16_t)a * (int16_t)b) +
                   (uint32_t)((int16_t)(a >> 16) * (int16_t)(b >> 16)));
}
DGI_INLINE uint32_t DGI_SXTB16(uint32_t x) {
  return (uint32_t)(uint16_t)(int16_t)(int8_t)x | (uint32_t)(uint16_t)(int16_t)(int8_t)(x >> 16) << 16;
}
#define DGI_SXTB16_ROR8(x) DGI_SXTB16(((x) >> 8) | ((x) << 24))
#endif

DGI_INLINE uint32_t dgi_load32(const void *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/* requantizeByShifts() of Requantize.swift, then the zero point and the
   clamp; returns the offset-binary byte. */
DGI_INLINE uint8_t dgi_dsp_output(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t low) {
  int64_t high = ((int64_t)acc * mult + (1LL << 30)) >> 31;
  int64_t half = ((int64_t)1 << shift) >> 1;
  int32_t scaled = (int32_t)((high + half - (high < 0 && shift > 0 ? 1 : 0)) >> shift);
  scaled = scaled < -512 ? -512 : scaled > 512 ? 512 : scaled;
  scaled += zp;
  scaled = scaled < low ? low : scaled > 127 ? 127 : scaled;
  return (uint8_t)(scaled + 128);
}

/* A dense layer's input for dgi_dsp_dense: n offset-binary bytes to int16
   q - zp in the im2col order (groups of four as (x0, x2, x1, x3), the tail
   in order). */
DGI_ENTRY void dgi_dsp_widen(int16_t *dst, const uint8_t *src, int32_t n, int32_t zero_point) {
  const int32_t offset = 128 + zero_point;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[i] = (int16_t)(src[i] - offset);
    dst[i + 1] = (int16_t)(src[i + 2] - offset);
    dst[i + 2] = (int16_t)(src[i + 1] - offset);
    dst[i + 3] = (int16_t)(src[i + 3] - offset);
  }
  for (; i < n; i++) dst[i] = (int16_t)(src[i] - offset);
}

/* The parameters of a conv layer in dgi_conv_job's layout (bias,
   multiplier, shift, each out_c rounded up to 16; 0 past out_c): the file's
   bias, since the inputs are q - zp. */
DGI_ENTRY void dgi_dsp_pack_params(int32_t *params, const int32_t *bias, const int32_t *multiplier,
                                  const uint8_t *shift, int32_t out_c) {
  const int32_t stride = 16 * ((out_c + 15) / 16);
  for (int32_t c = 0; c < stride; c++) {
    params[c] = c < out_c ? bias[c] : 0;
    params[stride + c] = c < out_c ? multiplier[c] : 0;
    params[2 * stride + c] = c < out_c ? shift[c] : 0;
  }
}

/* The dot products of weight rows a and b (int8, in place) with the im2col
   columns p and q over K values: acc[0] = a.p, acc[1] = a.q, acc[2] = b.p,
   acc[3] = b.q. */
DGI_INLINE void dgi_dsp_dot2x2(const int8_t *a, const int8_t *b, const int16_t *p, const int16_t *q, int32_t k,
                               int32_t acc[4]) {
  int32_t ap = 0, aq = 0, bp = 0, bq = 0, i = 0;
  for (; i + 4 <= k; i += 4) {
    uint32_t wa = dgi_load32(a + i), wb = dgi_load32(b + i);
    uint32_t a02 = DGI_SXTB16(wa), a13 = DGI_SXTB16_ROR8(wa);
    uint32_t b02 = DGI_SXTB16(wb), b13 = DGI_SXTB16_ROR8(wb);
    uint32_t p02 = dgi_load32(p + i), p13 = dgi_load32(p + i + 2);
    uint32_t q02 = dgi_load32(q + i), q13 = dgi_load32(q + i + 2);
    ap = DGI_SMLAD(a02, p02, ap);
    ap = DGI_SMLAD(a13, p13, ap);
    aq = DGI_SMLAD(a02, q02, aq);
    aq = DGI_SMLAD(a13, q13, aq);
    bp = DGI_SMLAD(b02, p02, bp);
    bp = DGI_SMLAD(b13, p13, bp);
    bq = DGI_SMLAD(b02, q02, bq);
    bq = DGI_SMLAD(b13, q13, bq);
  }
  for (; i < k; i++) {
    ap += a[i] * p[i];
    aq += a[i] * q[i];
    bp += b[i] * p[i];
    bq += b[i] * q[i];
  }
  acc[0] = ap, acc[1] = aq, acc[2] = bp, acc[3] = bq;
}

/* The dot products of weight rows a and b with one column x: acc[0] = a.x,
   acc[1] = b.x (dense layers). */
DGI_INLINE void dgi_dsp_dot2x1(const int8_t *a, const int8_t *b, const int16_t *x, int32_t k, int32_t acc[2]) {
  int32_t ax = 0, bx = 0, i = 0;
  for (; i + 4 <= k; i += 4) {
    uint32_t wa = dgi_load32(a + i), wb = dgi_load32(b + i);
    uint32_t x02 = dgi_load32(x + i), x13 = dgi_load32(x + i + 2);
    ax = DGI_SMLAD(DGI_SXTB16(wa), x02, ax);
    ax = DGI_SMLAD(DGI_SXTB16_ROR8(wa), x13, ax);
    bx = DGI_SMLAD(DGI_SXTB16(wb), x02, bx);
    bx = DGI_SMLAD(DGI_SXTB16_ROR8(wb), x13, bx);
  }
  for (; i < k; i++) {
    ax += a[i] * x[i];
    bx += b[i] * x[i];
  }
  acc[0] = ax, acc[1] = bx;
}

/*
** One convolution, optionally fused with the 2x2 max-pool that follows it.
** j->panel is the layer's weights in the file, j->steps the length of a
** kernel row (kw * in_c), j->work room for four im2col columns
** (4 * kh * steps int16). For each pooled cell (its four taps) or pair of
** positions: the columns, then two channels at a time.
*/
DGI_ENTRY void dgi_dsp_conv(const dgi_conv_job *j) {
  const int32_t row = j->steps, k = j->kh * row, line = j->in_w * j->in_c, offset = 128 + j->in_zero_point;
  const int32_t stride = 16 * ((j->out_c + 15) / 16), zp = j->out_zero_point;
  const int32_t low = j->relu ? zp : -128;
  const int8_t *weights = (const int8_t *)j->panel;
  const uint8_t *input = (const uint8_t *)j->input;
  int16_t *col = (int16_t *)j->work;
  for (int32_t gy = 0; gy < j->grid_h; gy++) {
    for (int32_t gx = 0; gx < j->grid_w; gx += j->pooled ? 1 : 4) {
      size_t at[4];
      const int32_t valid = dgi_conv_positions(j, gy, gx, at), taps = j->pooled ? 4 : valid;
      /* The column of each position: its kh kernel rows one after another,
         as q - zp, then each group of four as (x0, x2, x1, x3). */
      for (int32_t t = 0; t < taps; t++) {
        int16_t *c = col + (size_t)t * k;
        for (int32_t r = 0; r < j->kh; r++)
          for (int32_t i = 0; i < row; i++) c[r * row + i] = (int16_t)(input[at[t] + (size_t)r * line + i] - offset);
        for (int32_t i = 0; i + 4 <= k; i += 4) {
          int16_t x1 = c[i + 1];
          c[i + 1] = c[i + 2];
          c[i + 2] = x1;
        }
      }
      uint8_t *out = j->output + ((size_t)gy * j->grid_w + gx) * j->out_c;
      for (int32_t c0 = 0; c0 < j->out_c; c0 += 2) {
        const int32_t c1 = c0 + 1 < j->out_c ? c0 + 1 : c0; /* an odd last channel is computed twice */
        const int8_t *a = weights + (size_t)c0 * k, *b = weights + (size_t)c1 * k;
        int32_t s01[4], s23[4] = {0, 0, 0, 0};
        dgi_dsp_dot2x2(a, b, col, col + (taps > 1 ? k : 0), k, s01);
        if (taps > 2) dgi_dsp_dot2x2(a, b, col + 2 * (size_t)k, col + (taps > 3 ? 3 : 2) * (size_t)k, k, s23);
        int32_t best[4][2] = {{s01[0], s01[2]}, {s01[1], s01[3]}, {s23[0], s23[2]}, {s23[1], s23[3]}};
        int32_t n = taps;
        if (j->pooled) { /* requantization is monotonic: the pool is a max of accumulators */
          for (int32_t t = 1; t < 4; t++)
            for (int32_t h = 0; h < 2; h++) best[0][h] = best[t][h] > best[0][h] ? best[t][h] : best[0][h];
          n = 1;
        }
        for (int32_t t = 0; t < n; t++) {
          out[(size_t)t * j->out_c + c0] =
              dgi_dsp_output(best[t][0] + j->params[c0], j->params[stride + c0], j->params[2 * stride + c0], zp, low);
          if (c1 != c0)
            out[(size_t)t * j->out_c + c1] = dgi_dsp_output(best[t][1] + j->params[c1], j->params[stride + c1],
                                                             j->params[2 * stride + c1], zp, low);
        }
      }
    }
  }
}

/* One dense layer; j->input is n int16 q - zp in the im2col order
   (dgi_dsp_widen). Two outputs at a time. */
DGI_ENTRY void dgi_dsp_dense(const dgi_dense_job *j) {
  const int16_t *x = (const int16_t *)j->input;
  const int32_t zp = j->out_zero_point, low = j->relu ? zp : -128;
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 2) {
    const int32_t o1 = o0 + 1 < j->out_c ? o0 + 1 : o0;
    int32_t s[2];
    dgi_dsp_dot2x1(j->weights + (size_t)o0 * j->n, j->weights + (size_t)o1 * j->n, x, j->n, s);
    int32_t bias0, bias1, mult0, mult1;
    __builtin_memcpy(&bias0, j->bias + o0, 4);
    __builtin_memcpy(&bias1, j->bias + o1, 4);
    __builtin_memcpy(&mult0, j->multiplier + o0, 4);
    __builtin_memcpy(&mult1, j->multiplier + o1, 4);
    j->output[o0] = dgi_dsp_output(s[0] + bias0, mult0, j->shift[o0], zp, low);
    if (o1 != o0) j->output[o1] = dgi_dsp_output(s[1] + bias1, mult1, j->shift[o1], zp, low);
  }
}

#endif /* DIGITINFER_ARM_DSP_H */
