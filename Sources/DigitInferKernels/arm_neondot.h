/*
** AArch64 kernels with the dot-product extension (FEAT_DotProd, Armv8.2:
** Cortex-A55/A76 and later, Neoverse, Apple M1): sdot multiplies 4 signed
** bytes by 4 signed bytes and adds the sum to an int32 lane, four lanes per
** instruction.
**
** Activations stay in offset binary between layers, as on x86 (kernels.h),
** so that the layer walk, pooling and the final conversion are shared; sdot
** is signed x signed, so a conv's input is staged as int8 q (the byte
** ^ 0x80) with its padding the zero point, and dense layers flip the sign
** bit as they load. For an input zero point zp:
**
**     sum (q - zp) w  =  sum q w  -  zp sum w
**
** the second term folded into the bias when the weights are packed.
**
** Convolution ("channels in lanes"): the AVX-512 VNNI panel layout,
** [row][group][16-channel block][16 channels][4 bytes], read as four
** vectors of four channels; the four input bytes of a group are broadcast.
** One block of 16 channels at four positions per pass: 16 accumulators, 4
** weight vectors and 4 broadcasts of the 32 registers.
**
** Dense ("reduction in lanes"): 16 bytes of four rows at a time against 16
** input bytes, the sums of the weights in the same pass, then horizontal
** sums.
*/
#ifndef DIGITINFER_ARM_NEONDOT_H
#define DIGITINFER_ARM_NEONDOT_H

#define DGI_NEONDOT __attribute__((target("dotprod")))

/* requantize() of Requantize.swift for 4 lanes, as dgi_v256_requantize. */
DGI_INLINE DGI_NEONDOT int32x4_t dgi_n128_requantize(int32x4_t acc, int32x4_t mult, int32x4_t shift, int32x4_t zp,
                                                    int32x4_t low) {
  const int64x2_t half = vdupq_n_s64(1LL << 30);
  /* Bits 31..62 of acc * mult + 2^30: gemmlowp's high half (|high| <= |acc|). */
  int64x2_t lo = vaddq_s64(vmull_s32(vget_low_s32(acc), vget_low_s32(mult)), half);
  int64x2_t hi = vaddq_s64(vmull_high_s32(acc, mult), half);
  int32x4_t high = vcombine_s32(vmovn_s64(vshrq_n_s64(lo, 31)), vmovn_s64(vshrq_n_s64(hi, 31)));
  const int32x4_t one = vdupq_n_s32(1);
  int32x4_t mask = vsubq_s32(vshlq_s32(one, shift), one);
  int32x4_t threshold = vsubq_s32(vshrq_n_s32(mask, 1), vshrq_n_s32(high, 31));
  uint32x4_t up = vcgtq_s32(vandq_s32(high, mask), threshold); /* all ones: -1 */
  int32x4_t scaled = vsubq_s32(vshlq_s32(high, vnegq_s32(shift)), vreinterpretq_s32_u32(up));
  scaled = vminq_s32(vmaxq_s32(scaled, vdupq_n_s32(-512)), vdupq_n_s32(512));
  scaled = vaddq_s32(scaled, zp);
  return vminq_s32(vmaxq_s32(scaled, low), vdupq_n_s32(127));
}

/* Adds the bias to up to 16 accumulators (four vectors) of channels c..,
   requantizes them with the parameters at params + c (dgi_conv_job's
   layout, `stride` int32 apart) and stores the first `count` as
   offset-binary bytes. */
static inline __attribute__((noinline)) DGI_NEONDOT void dgi_n128_store16(uint8_t *out, const int32x4_t acc[4],
                                                                        const int32_t *params, int32_t stride,
                                                                        int32_t count, int32_t zero_point,
                                                                        int32_t relu) {
  const int32x4_t zp = vdupq_n_s32(zero_point), low = relu ? zp : vdupq_n_s32(-128), offset = vdupq_n_s32(128);
  uint32x4_t q[4];
  for (int i = 0; i < 4; i++) {
    int32x4_t v = vaddq_s32(acc[i], vld1q_s32(params + 4 * i));
    v = dgi_n128_requantize(v, vld1q_s32(params + stride + 4 * i), vld1q_s32(params + 2 * stride + 4 * i), zp, low);
    q[i] = vreinterpretq_u32_s32(vaddq_s32(v, offset)); /* 0..255 */
  }
  uint8_t all[16];
  vst1q_u8(all, vcombine_u8(vmovn_u16(vcombine_u16(vmovn_u32(q[0]), vmovn_u32(q[1]))),
                            vmovn_u16(vcombine_u16(vmovn_u32(q[2]), vmovn_u32(q[3])))));
  for (int k = 0; k < count; k++) out[k] = all[k];
}

/*
** Packs a conv layer's weights into the panel (the AVX-512 VNNI layout) and
** its parameters into `params` (3 x stride int32: the corrected bias
** bias[c] - zp * sum of channel c's weights, the multiplier, the shift; 0
** past out_c). Scalar: it runs once per call or batch, and copies 4-byte
** groups.
*/
DGI_ENTRY void dgi_neondot_pack_conv(int8_t *panel, int32_t *params, const int8_t *weights, const int32_t *bias,
                                    const int32_t *multiplier, const uint8_t *shift, int32_t out_c, int32_t rows,
                                    int32_t row_len, int32_t groups, int32_t in_zero_point) {
  const int32_t blocks = (out_c + 15) / 16, stride = 16 * blocks;
  for (int32_t c = 0; c < stride; c++) {
    int32_t sum = 0;
    for (int32_t row = 0; row < rows; row++) {
      const int8_t *src = weights + ((size_t)c * rows + row) * row_len;
      for (int32_t g = 0; g < groups; g++) {
        int8_t *dst = panel + (((size_t)row * groups + g) * blocks + c / 16) * 64 + 4 * (c % 16);
        for (int32_t k = 0; k < 4; k++) {
          int8_t w = c < out_c && 4 * g + k < row_len ? src[4 * g + k] : 0;
          dst[k] = w;
          sum += w;
        }
      }
    }
    params[c] = c < out_c ? (int32_t)((uint32_t)bias[c] - (uint32_t)sum * (uint32_t)in_zero_point) : 0;
    params[stride + c] = c < out_c ? multiplier[c] : 0;
    params[2 * stride + c] = c < out_c ? shift[c] : 0;
  }
}

/* Accumulators of position p: four vectors of four channels. */
#define DGI_N128_ACC(p) int32x4_t acc##p##0 = vdupq_n_s32(0), acc##p##1 = acc##p##0, acc##p##2 = acc##p##0, acc##p##3 = acc##p##0;
#define DGI_N128_DOT(p, x)                                                                                   \
  {                                                                                                          \
    int32_t v;                                                                                               \
    __builtin_memcpy(&v, (x) + at, 4);                                                                       \
    int8x16_t a = vreinterpretq_s8_s32(vdupq_n_s32(v));                                                      \
    acc##p##0 = vdotq_s32(acc##p##0, w0, a);                                                                 \
    acc##p##1 = vdotq_s32(acc##p##1, w1, a);                                                                 \
    acc##p##2 = vdotq_s32(acc##p##2, w2, a);                                                                 \
    acc##p##3 = vdotq_s32(acc##p##3, w3, a);                                                                 \
  }
#define DGI_N128_ARRAY(p) {acc##p##0, acc##p##1, acc##p##2, acc##p##3}

DGI_ENTRY DGI_NEONDOT void dgi_neondot_conv(const dgi_conv_job *j) {
  const int32_t blocks = (j->out_c + 15) / 16, stride = 16 * blocks, line = j->in_w * j->in_c;
  const size_t panel_step = (size_t)blocks * 64;
  const int8_t *input = (const int8_t *)j->input;
  for (int32_t block = 0; block < blocks; block++) {
    const int32_t c = 16 * block, count = j->out_c - c < 16 ? j->out_c - c : 16;
    for (int32_t gy = 0; gy < j->grid_h; gy++) {
      for (int32_t gx = 0; gx < j->grid_w; gx += j->pooled ? 1 : 4) {
        size_t at4[4];
        const int32_t valid = dgi_conv_positions(j, gy, gx, at4);
        const int8_t *x0 = input + at4[0], *x1 = input + at4[1], *x2 = input + at4[2], *x3 = input + at4[3];
        DGI_N128_ACC(0) DGI_N128_ACC(1) DGI_N128_ACC(2) DGI_N128_ACC(3)
        const int8_t *w = (const int8_t *)j->panel + (size_t)block * 64;
        for (int32_t row = 0; row < j->kh; row++) {
          size_t at = (size_t)row * line;
          for (int32_t g = 0; g < j->steps; g++, at += 4, w += panel_step) {
            const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48);
            DGI_N128_DOT(0, x0) DGI_N128_DOT(1, x1) DGI_N128_DOT(2, x2) DGI_N128_DOT(3, x3)
          }
        }
        uint8_t *out = j->output + ((size_t)gy * j->grid_w + gx) * j->out_c + c;
        if (j->pooled) { /* requantization is monotonic: the pool is a max of accumulators */
          const int32x4_t best[4] = {vmaxq_s32(vmaxq_s32(acc00, acc10), vmaxq_s32(acc20, acc30)),
                                     vmaxq_s32(vmaxq_s32(acc01, acc11), vmaxq_s32(acc21, acc31)),
                                     vmaxq_s32(vmaxq_s32(acc02, acc12), vmaxq_s32(acc22, acc32)),
                                     vmaxq_s32(vmaxq_s32(acc03, acc13), vmaxq_s32(acc23, acc33))};
          dgi_n128_store16(out, best, j->params + c, stride, count, j->out_zero_point, j->relu);
        } else {
          const int32x4_t acc[4][4] = {DGI_N128_ARRAY(0), DGI_N128_ARRAY(1), DGI_N128_ARRAY(2), DGI_N128_ARRAY(3)};
          for (int32_t t = 0; t < valid; t++)
            dgi_n128_store16(out + (size_t)t * j->out_c, acc[t], j->params + c, stride, count, j->out_zero_point,
                             j->relu);
        }
      }
    }
  }
}

#define DGI_N128_ROW(r)                                     \
  acc##r = vdotq_s32(acc##r, xv, vld1q_s8(w##r + i));       \
  sw##r = vdotq_s32(sw##r, ones, vld1q_s8(w##r + i));

DGI_ENTRY DGI_NEONDOT void dgi_neondot_dense(const dgi_dense_job *j) {
  const int32_t n = j->n, zp = j->in_zero_point;
  const uint8_t *x = (const uint8_t *)j->input;
  const int8x16_t ones = vdupq_n_s8(1);
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 16) {
    int32_t count = j->out_c - o0 < 16 ? j->out_c - o0 : 16;
    int32_t sums[16] = {0}, params[48] = {0}; /* bias, multiplier, shift: dgi_n128_store16's layout */
    for (int32_t k = 0; k < count; k += 4) {
      DGI_DENSE_ROWS(o0 + k, count - k)
      int32x4_t acc0 = vdupq_n_s32(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      int32x4_t sw0 = acc0, sw1 = acc0, sw2 = acc0, sw3 = acc0;
      int32_t i = 0;
      for (; i + 16 <= n; i += 16) {
        const int8x16_t xv = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x + i), vdupq_n_u8(0x80))); /* q */
        DGI_N128_ROW(0) DGI_N128_ROW(1) DGI_N128_ROW(2) DGI_N128_ROW(3)
      }
      /* sum (q - zp) w, in wrapping arithmetic like the bias correction. */
      uint32_t s[4] = {(uint32_t)vaddvq_s32(acc0) - (uint32_t)vaddvq_s32(sw0) * (uint32_t)zp,
                       (uint32_t)vaddvq_s32(acc1) - (uint32_t)vaddvq_s32(sw1) * (uint32_t)zp,
                       (uint32_t)vaddvq_s32(acc2) - (uint32_t)vaddvq_s32(sw2) * (uint32_t)zp,
                       (uint32_t)vaddvq_s32(acc3) - (uint32_t)vaddvq_s32(sw3) * (uint32_t)zp};
      for (; i < n; i++) {
        uint32_t v = (uint32_t)((int32_t)(int8_t)(x[i] ^ 0x80) - zp);
        s[0] += v * (uint32_t)w0[i];
        s[1] += v * (uint32_t)w1[i];
        s[2] += v * (uint32_t)w2[i];
        s[3] += v * (uint32_t)w3[i];
      }
      for (int32_t r = 0; r < 4 && k + r < count; r++) sums[k + r] = (int32_t)s[r];
    }
    for (int32_t k = 0; k < count; k++) {
      __builtin_memcpy(&params[k], j->bias + o0 + k, 4);
      __builtin_memcpy(&params[16 + k], j->multiplier + o0 + k, 4);
      params[32 + k] = j->shift[o0 + k];
    }
    const int32x4_t acc[4] = {vld1q_s32(sums), vld1q_s32(sums + 4), vld1q_s32(sums + 8), vld1q_s32(sums + 12)};
    dgi_n128_store16(j->output + o0, acc, params, 16, count, j->out_zero_point, j->relu);
  }
}

#endif /* DIGITINFER_ARM_NEONDOT_H */
