/*
** AVX-512 VNNI kernels: vpdpbusd multiplies 4 unsigned activation bytes by 4
** signed weight bytes and adds the four products to an int32 lane, sixteen
** lanes per instruction; the core issues two per cycle.
**
** Convolution ("channels in lanes"): a lane is an output channel. The packed
** panel holds, for each 4-byte group of the reduction, 16 channels x 4
** weights (64 bytes); the matching 4 input bytes are broadcast to all lanes.
** Four output positions share each weight vector (the four taps of a fused
** 2x2 max-pool, or four neighbouring positions), one or two 16-channel
** blocks at once: 8 accumulators in registers.
**
** Dense ("reduction in lanes"): the weights are read in the file's layout,
** 64 bytes of a row against 64 input bytes, four rows at a time, then one
** horizontal sum per row; dense layers use each weight once, so packing
** would cost more than it saves.
*/
#ifndef DIGITINFER_X86_AVX512VNNI_H
#define DIGITINFER_X86_AVX512VNNI_H

#define DGI_AVX512VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,evex512")))

/* Requantization of 16 accumulators: requantize() of Requantize.swift lane for
   lane (gemmlowp's doubling high multiply, then a rounding right shift with
   ties away from zero), plus the zero point and the clamp. */
DGI_INLINE DGI_AVX512VNNI __m512i dgi_v512_requantize(__m512i acc, __m512i mult, __m512i shift, __m512i zp,
                                                     __m512i low) {
  const __m512i half = _mm512_set1_epi64(1LL << 30);
  /* 64-bit products of the even and the odd lanes; bits 31..62 of each sum
     are gemmlowp's high half (|high| <= |acc|, so they are all of it). */
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(acc, mult), half);
  __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(mult, 32)), half);
  __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i one = _mm512_set1_epi32(1);
  __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, shift), one);
  __m512i threshold = _mm512_sub_epi32(_mm512_srai_epi32(mask, 1), _mm512_srai_epi32(high, 31));
  __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(high, mask), threshold);
  __m512i scaled = _mm512_srav_epi32(high, shift);
  scaled = _mm512_mask_add_epi32(scaled, up, scaled, one);
  scaled = _mm512_min_epi32(_mm512_max_epi32(scaled, _mm512_set1_epi32(-512)), _mm512_set1_epi32(512));
  scaled = _mm512_add_epi32(scaled, zp);
  return _mm512_min_epi32(_mm512_max_epi32(scaled, low), _mm512_set1_epi32(127));
}

/* Requantizes 16 accumulators with their channels' multipliers and shifts
   and stores the first `count` as offset-binary bytes. Not inlined: it runs
   once per 16 outputs, and inlined copies would cost kilobytes of code. */
static inline __attribute__((noinline)) DGI_AVX512VNNI void dgi_v512_store(uint8_t *out, __m512i acc, __m512i mult,
                                                                          __m512i shift, int count, int32_t zero_point,
                                                                          int32_t relu) {
  __m512i zp = _mm512_set1_epi32(zero_point);
  __m512i low = relu ? zp : _mm512_set1_epi32(-128);
  __m128i bytes = _mm512_cvtepi32_epi8(dgi_v512_requantize(acc, mult, shift, zp, low));
  _mm_mask_storeu_epi8(out, (__mmask16)((1u << count) - 1u), _mm_xor_si128(bytes, _mm_set1_epi8((char)0x80)));
}

/* 16x16 transpose of 32-bit elements, in place. */
DGI_INLINE DGI_AVX512VNNI void dgi_v512_transpose16(__m512i r[16]) {
  __m512i a[16], b[16];
  for (int i = 0; i < 8; i++) {
    a[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    b[4 * i + 0] = _mm512_unpacklo_epi64(a[4 * i], a[4 * i + 2]);
    b[4 * i + 1] = _mm512_unpackhi_epi64(a[4 * i], a[4 * i + 2]);
    b[4 * i + 2] = _mm512_unpacklo_epi64(a[4 * i + 1], a[4 * i + 3]);
    b[4 * i + 3] = _mm512_unpackhi_epi64(a[4 * i + 1], a[4 * i + 3]);
  }
  /* b[4i + k], 128-bit lane L, holds column 4L + k of rows 4i..4i+3. */
  for (int k = 0; k < 4; k++) {
    __m512i c1 = _mm512_shuffle_i32x4(b[k], b[4 + k], 0x88), c2 = _mm512_shuffle_i32x4(b[k], b[4 + k], 0xDD);
    __m512i c3 = _mm512_shuffle_i32x4(b[8 + k], b[12 + k], 0x88), c4 = _mm512_shuffle_i32x4(b[8 + k], b[12 + k], 0xDD);
    r[k] = _mm512_shuffle_i32x4(c1, c3, 0x88);
    r[8 + k] = _mm512_shuffle_i32x4(c1, c3, 0xDD);
    r[4 + k] = _mm512_shuffle_i32x4(c2, c4, 0x88);
    r[12 + k] = _mm512_shuffle_i32x4(c2, c4, 0xDD);
  }
}

/*
** Packs a conv layer's weights (file layout [out_c][kh][kw][in_c]) into the
** panel the conv kernel reads: [row][group][block][16 channels][4 bytes],
** zero beyond the row and beyond out_c; and its parameters into `params`
** (3 x stride int32): the corrected bias bias[c] - (128 + in_zp) * sum of
** channel c's weights, the multiplier and the shift, 0 past out_c. A panel
** row is one kernel row, or the whole kernel when kernel rows are multiples
** of 4 bytes. Sixteen channel rows at a time are loaded (masked, so nothing
** past the weights is read) and transposed.
*/
DGI_ENTRY DGI_AVX512VNNI void dgi_avx512vnni_pack_conv(int8_t *panel, int32_t *params, const int8_t *weights,
                                                      const int32_t *bias, const int32_t *multiplier,
                                                      const uint8_t *shift, int32_t out_c, int32_t rows,
                                                      int32_t row_len, int32_t groups, int32_t in_zero_point) {
  int32_t blocks = (out_c + 15) / 16, stride = 16 * blocks;
  const __m512i ones = _mm512_set1_epi8(1);
  for (int32_t block = 0; block < blocks; block++) {
    __m512i sums = _mm512_setzero_si512();
    int32_t channels = out_c - 16 * block < 16 ? out_c - 16 * block : 16;
    for (int32_t row = 0; row < rows; row++) {
      for (int32_t g0 = 0; g0 < groups; g0 += 16) {
        int32_t bytes = row_len - 4 * g0 < 64 ? row_len - 4 * g0 : 64;
        __mmask64 m = bytes == 64 ? ~(__mmask64)0 : (((__mmask64)1 << bytes) - 1);
        __m512i r[16];
        for (int32_t i = 0; i < 16; i++) {
          const int8_t *src = weights + ((size_t)(16 * block + i) * rows + row) * row_len + 4 * g0;
          r[i] = i < channels ? _mm512_maskz_loadu_epi8(m, src) : _mm512_setzero_si512();
        }
        dgi_v512_transpose16(r);
        int32_t n = groups - g0 < 16 ? groups - g0 : 16;
        for (int32_t i = 0; i < n; i++) {
          _mm512_storeu_si512(panel + (((size_t)row * groups + g0 + i) * blocks + block) * 64, r[i]);
          sums = _mm512_dpbusd_epi32(sums, ones, r[i]);
        }
      }
    }
    __mmask16 cm = (__mmask16)((1u << channels) - 1u);
    int32_t c = 16 * block;
    __m512i b = _mm512_maskz_loadu_epi32(cm, bias + c);
    __m512i corrected = _mm512_sub_epi32(b, _mm512_mullo_epi32(sums, _mm512_set1_epi32(128 + in_zero_point)));
    _mm512_storeu_si512(params + c, _mm512_maskz_mov_epi32(cm, corrected));
    _mm512_storeu_si512(params + stride + c, _mm512_maskz_loadu_epi32(cm, multiplier + c));
    _mm512_storeu_si512(params + 2 * stride + c, _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(cm, shift + c)));
  }
}

/* The accumulators are named variables, not an array: LLVM as the
   Swift compiler runs it does not promote an array of vectors to registers. */
#define DGI_V512_ACC(b) __m512i acc0##b = _mm512_setzero_si512(), acc1##b = acc0##b, acc2##b = acc0##b, acc3##b = acc0##b;
/* Accumulators of block b += the broadcast inputs times the weights at w + 64 * k. */
#define DGI_V512_MAC_INTO(b, k)                                                        \
  {                                                                                    \
    __m512i wv = _mm512_loadu_si512(w + 64 * (k));                                     \
    acc0##b = _mm512_dpbusd_epi32(acc0##b, a0, wv);                                    \
    acc1##b = _mm512_dpbusd_epi32(acc1##b, a1, wv);                                    \
    acc2##b = _mm512_dpbusd_epi32(acc2##b, a2, wv);                                    \
    acc3##b = _mm512_dpbusd_epi32(acc3##b, a3, wv);                                    \
  }
#define DGI_V512_MAC(b) if (NB > b) DGI_V512_MAC_INTO(b, b)
/* The four inputs of group g of the current kernel row, broadcast. */
#define DGI_V512_INPUTS(offset)                                                        \
  int32_t v0, v1, v2, v3;                                                              \
  __builtin_memcpy(&v0, x0 + (offset), 4);                                             \
  __builtin_memcpy(&v1, x1 + (offset), 4);                                             \
  __builtin_memcpy(&v2, x2 + (offset), 4);                                             \
  __builtin_memcpy(&v3, x3 + (offset), 4);                                             \
  __m512i a0 = _mm512_set1_epi32(v0), a1 = _mm512_set1_epi32(v1);                      \
  __m512i a2 = _mm512_set1_epi32(v2), a3 = _mm512_set1_epi32(v3);

/* Requantizes and stores channels c..c+15 of the four positions a pass of
   the conv kernel computed: the pool's maximum (requantization is
   monotonic), or each of the `valid` positions. Only the pooled case, the
   common one, is inlined. */
static inline __attribute__((noinline)) DGI_AVX512VNNI void dgi_v512_conv_out(const dgi_conv_job *j, uint8_t *out,
                                                                             const int32_t *params, int32_t valid,
                                                                             const __m512i acc[4]) {
  const int32_t count = j->out_c - (int32_t)(params - j->params) < 16 ? j->out_c - (int32_t)(params - j->params) : 16;
  const int32_t stride = 16 * ((j->out_c + 15) / 16);
  __m512i bias = _mm512_loadu_si512(params);
  __m512i mult = _mm512_loadu_si512(params + stride);
  __m512i shift = _mm512_loadu_si512(params + 2 * stride);
  for (int32_t t = 0; t < valid; t++)
    dgi_v512_store(out + (size_t)t * j->out_c, _mm512_add_epi32(acc[t], bias), mult, shift, count, j->out_zero_point,
                   j->relu);
}
#define DGI_V512_OUT(b)                                                                                      \
  if (NB > b) {                                                                                              \
    const int32_t c = 16 * (first + b);                                                                      \
    uint8_t *out = j->output + ((size_t)gy * j->grid_w + gx) * j->out_c + c;                                 \
    const int32_t *params = j->params + c;                                                                   \
    if (j->pooled) {                                                                                         \
      const int32_t stride = 16 * ((j->out_c + 15) / 16), count = j->out_c - c < 16 ? j->out_c - c : 16;    \
      __m512i best = _mm512_max_epi32(_mm512_max_epi32(acc0##b, acc1##b), _mm512_max_epi32(acc2##b, acc3##b)); \
      dgi_v512_store(out, _mm512_add_epi32(best, _mm512_loadu_si512(params)), _mm512_loadu_si512(params + stride), \
                     _mm512_loadu_si512(params + 2 * stride), count, j->out_zero_point, j->relu);            \
    } else {                                                                                                 \
      const __m512i acc[4] = {acc0##b, acc1##b, acc2##b, acc3##b};                                           \
      dgi_v512_conv_out(j, out, params, valid, acc);                                                         \
    }                                                                                                        \
  }

/* Four positions x NB blocks of one conv; NB is a constant after inlining. */
DGI_INLINE DGI_AVX512VNNI void dgi_v512_conv_blocks(const dgi_conv_job *j, int32_t first, const int NB) {
  const size_t panel_group = (size_t)((j->out_c + 15) / 16) * 64;
  const int32_t line = j->in_w * j->in_c;
  const uint8_t *input = (const uint8_t *)j->input;
  for (int32_t gy = 0; gy < j->grid_h; gy++) {
    for (int32_t gx = 0; gx < j->grid_w; gx += j->pooled ? 1 : 4) {
      size_t at[4];
      const int32_t valid = dgi_conv_positions(j, gy, gx, at);
      const uint8_t *x0 = input + at[0], *x1 = input + at[1], *x2 = input + at[2], *x3 = input + at[3];
      DGI_V512_ACC(0) DGI_V512_ACC(1)
      const int8_t *w = (const int8_t *)j->panel + (size_t)first * 64;
      for (int32_t row = 0; row < j->kh; row++) {
        size_t at = (size_t)row * line;
        int32_t g = 0;
        if (NB == 1) {
          /* One block has only four dependency chains, fewer than vpdpbusd's
             latency times its throughput: alternate groups between the two
             accumulator sets (eight chains) and add them up at the end. */
          for (; g + 2 <= j->steps; g += 2, at += 8) {
            {
              DGI_V512_INPUTS(at)
              DGI_V512_MAC_INTO(0, 0)
            }
            {
              DGI_V512_INPUTS(at + 4)
              DGI_V512_MAC_INTO(1, panel_group / 64)
            }
            w += 2 * panel_group;
          }
        }
        for (; g < j->steps; g++, at += 4) {
          DGI_V512_INPUTS(at)
          DGI_V512_MAC(0) DGI_V512_MAC(1)
          w += panel_group;
        }
      }
      if (NB == 1) {
        acc00 = _mm512_add_epi32(acc00, acc01);
        acc10 = _mm512_add_epi32(acc10, acc11);
        acc20 = _mm512_add_epi32(acc20, acc21);
        acc30 = _mm512_add_epi32(acc30, acc31);
      }
      DGI_V512_OUT(0) DGI_V512_OUT(1)
    }
  }
}

/* Blocks in passes of one or two (8 accumulators): two copies of the loop
   nest, 2.7 KB together; a third block would save a broadcast per step. */
DGI_ENTRY DGI_AVX512VNNI void dgi_avx512vnni_conv(const dgi_conv_job *j) {
  const int32_t blocks = (j->out_c + 15) / 16;
  for (int32_t first = 0; first < blocks; first += 2) {
    if (blocks - first == 1) dgi_v512_conv_blocks(j, first, 1);
    else dgi_v512_conv_blocks(j, first, 2);
  }
}

#define DGI_V512_DOT(r, xv, wv)                     \
  acc##r = _mm512_dpbusd_epi32(acc##r, xv, wv);     \
  sw##r = _mm512_dpbusd_epi32(sw##r, ones, wv);

DGI_ENTRY DGI_AVX512VNNI void dgi_avx512vnni_dense(const dgi_dense_job *j) {
  const int32_t n = j->n;
  const uint8_t *input = (const uint8_t *)j->input;
  const __m512i ones = _mm512_set1_epi8(1);
  const __m512i correction = _mm512_set1_epi32(-(128 + j->in_zero_point));
  const int32_t tail = n % 64;
  const __mmask64 tail_mask = tail ? (((__mmask64)1 << tail) - 1) : 0;
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 16) {
    int32_t count = j->out_c - o0 < 16 ? j->out_c - o0 : 16;
    int32_t sums[16];
    for (int32_t k = 0; k < count; k += 4) {
      /* The sums of the weights (dot products with ones) give the
         zero-point correction. */
      DGI_DENSE_ROWS(o0 + k, count - k)
      __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      __m512i sw0 = acc0, sw1 = acc0, sw2 = acc0, sw3 = acc0;
      int32_t i = 0;
      for (; i + 64 <= n; i += 64) {
        __m512i xv = _mm512_loadu_si512(input + i);
        DGI_V512_DOT(0, xv, _mm512_loadu_si512(w0 + i))
        DGI_V512_DOT(1, xv, _mm512_loadu_si512(w1 + i))
        DGI_V512_DOT(2, xv, _mm512_loadu_si512(w2 + i))
        DGI_V512_DOT(3, xv, _mm512_loadu_si512(w3 + i))
      }
      if (tail) {
        __m512i xv = _mm512_maskz_loadu_epi8(tail_mask, input + i);
        DGI_V512_DOT(0, xv, _mm512_maskz_loadu_epi8(tail_mask, w0 + i))
        DGI_V512_DOT(1, xv, _mm512_maskz_loadu_epi8(tail_mask, w1 + i))
        DGI_V512_DOT(2, xv, _mm512_maskz_loadu_epi8(tail_mask, w2 + i))
        DGI_V512_DOT(3, xv, _mm512_maskz_loadu_epi8(tail_mask, w3 + i))
      }
      sums[k] = _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, _mm512_mullo_epi32(sw0, correction)));
      if (k + 1 < count) sums[k + 1] = _mm512_reduce_add_epi32(_mm512_add_epi32(acc1, _mm512_mullo_epi32(sw1, correction)));
      if (k + 2 < count) sums[k + 2] = _mm512_reduce_add_epi32(_mm512_add_epi32(acc2, _mm512_mullo_epi32(sw2, correction)));
      if (k + 3 < count) sums[k + 3] = _mm512_reduce_add_epi32(_mm512_add_epi32(acc3, _mm512_mullo_epi32(sw3, correction)));
    }
    __mmask16 m = (__mmask16)((1u << count) - 1u);
    __m512i acc = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, sums), _mm512_maskz_loadu_epi32(m, j->bias + o0));
    __m512i mult = _mm512_maskz_loadu_epi32(m, j->multiplier + o0);
    __m512i shift = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, j->shift + o0));
    dgi_v512_store(j->output + o0, acc, mult, shift, count, j->out_zero_point, j->relu);
  }
}

#endif /* DIGITINFER_X86_AVX512VNNI_H */
