/*
** AVX2 kernels, for x86-64 CPUs without VNNI (2013 and later): vpmaddwd
** multiplies sixteen int16 pairs and adds each pair into an int32 lane,
** eight lanes per instruction, two instructions per cycle on current cores.
** Activations are widened to int16 as q - zp when a layer's input is staged
** (so no zero-point correction is needed, and padding is 0); weights are
** widened when packed.
**
** Convolution ("channels in lanes"): a lane is an output channel. The panel
** holds, for each pair of reduction taps, 8 channels x 2 int16 weights (32
** bytes); the matching pair of inputs is broadcast. Four output positions
** share each weight vector, two 8-channel blocks at once: 8 accumulators, 2
** weight vectors and 4 broadcasts in the 16 registers. Channels are padded
** to a multiple of 16 (zero weights), so that one copy of the loop nest
** serves every layer. The results of a pass leave through the pooled store
** inline, or dgi_v256_conv_out (shared with the AVX-VNNI kernel): 1.4 KB of
** code where inlined stores of every case took 2.7 KB.
**
** Dense ("reduction in lanes"): sixteen inputs against sixteen weights of a
** row (widened as they are loaded), four rows at a time, then horizontal
** sums.
*/
#ifndef DIGITINFER_X86_AVX2_H
#define DIGITINFER_X86_AVX2_H

#define DGI_AVX2 __attribute__((target("avx2")))

/* requantize() of Requantize.swift for 8 lanes, as dgi_v512_requantize. */
DGI_INLINE DGI_AVX2 __m256i dgi_v256_requantize(__m256i acc, __m256i mult, __m256i shift, __m256i zp, __m256i low) {
  const __m256i half = _mm256_set1_epi64x(1LL << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(acc, mult), half);
  __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(mult, 32)), half);
  __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i one = _mm256_set1_epi32(1);
  __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, shift), one);
  __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(high, 31));
  __m256i up = _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_and_si256(high, mask), threshold), one);
  __m256i scaled = _mm256_add_epi32(_mm256_srav_epi32(high, shift), up);
  scaled = _mm256_min_epi32(_mm256_max_epi32(scaled, _mm256_set1_epi32(-512)), _mm256_set1_epi32(512));
  scaled = _mm256_add_epi32(scaled, zp);
  return _mm256_min_epi32(_mm256_max_epi32(scaled, low), _mm256_set1_epi32(127));
}

/* Requantizes 8 accumulators and stores the first `count` as offset-binary
   bytes. Not inlined, like dgi_v512_store. */
static inline __attribute__((noinline)) DGI_AVX2 void dgi_v256_store(uint8_t *out, __m256i acc, __m256i mult,
                                                                    __m256i shift, int count, int32_t zero_point,
                                                                    int32_t relu) {
  __m256i zp = _mm256_set1_epi32(zero_point);
  __m256i low = relu ? zp : _mm256_set1_epi32(-128);
  __m256i q = _mm256_add_epi32(dgi_v256_requantize(acc, mult, shift, zp, low), _mm256_set1_epi32(128));
  __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  __m128i bytes = _mm_packus_epi16(words, words);
  if (count == 8) {
    _mm_storel_epi64((__m128i *)out, bytes);
  } else {
    uint8_t all[16];
    _mm_storeu_si128((__m128i *)all, bytes);
    for (int i = 0; i < count; i++) out[i] = all[i];
  }
}

/* dst[i] = src[i] - 128 - zero_point: offset-binary bytes to int16 q - zp. */
DGI_ENTRY DGI_AVX2 void dgi_avx2_widen(int16_t *dst, const uint8_t *src, int32_t count, int32_t zero_point) {
  const __m256i offset = _mm256_set1_epi16((int16_t)(128 + zero_point));
  int32_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m256i v = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(src + i)));
    _mm256_storeu_si256((__m256i *)(dst + i), _mm256_sub_epi16(v, offset));
  }
  for (; i < count; i++) dst[i] = (int16_t)(src[i] - 128 - zero_point);
}

/* 8x8 transpose of 32-bit elements, in place. */
DGI_INLINE DGI_AVX2 void dgi_v256_transpose8(__m256i r[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; i++) {
    u[4 * i + 0] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  /* u[4i + k], 128-bit lane L, holds column 4L + k of rows 4i..4i+3. */
  for (int k = 0; k < 4; k++) {
    r[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
    r[4 + k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
  }
}

/*
** Packs a conv layer's weights for the 256-bit kernels, and its parameters
** into `params` (bias, multiplier, shift, each out_c rounded up to 16 int32,
** 0 past out_c). Both layouts are [row][step][8-channel block][8 channels]
** [4 bytes] (zero past the row and past out_c); a step is
**   - for AVX2 (vnni = 0): a pair of weights widened to int16, with the
**     file's bias (inputs are q - zp there, so there is nothing to correct);
**   - for AVX-VNNI (vnni = 1): a group of 4 weight bytes, the AVX-512 VNNI
**     panel, with dgi_avx512vnni_pack_conv's corrected bias.
** Eight channel rows of 8 steps at a time are loaded and transposed as 8x8
** 4-byte elements.
*/
DGI_ENTRY DGI_AVX2 void dgi_avx2_pack_conv(uint8_t *panel, int32_t *params, const int8_t *weights,
                                          const int32_t *bias, const int32_t *multiplier, const uint8_t *shift,
                                          int32_t out_c, int32_t rows, int32_t row_len, int32_t steps, int32_t vnni,
                                          int32_t in_zero_point) {
  const int32_t blocks = 2 * ((out_c + 15) / 16), stride = 8 * blocks, step_len = vnni ? 4 : 2;
  const uint32_t correction = vnni ? (uint32_t)(128 + in_zero_point) : 0;
  for (int32_t block = 0; block < blocks; block++) {
    int32_t first = 8 * block, channels = out_c - first < 0 ? 0 : out_c - first < 8 ? out_c - first : 8;
    __m256i sums = _mm256_setzero_si256();
    for (int32_t row = 0; row < rows; row++) {
      for (int32_t s0 = 0; s0 < steps; s0 += 8) {
        int32_t bytes = row_len - step_len * s0 < 8 * step_len ? row_len - step_len * s0 : 8 * step_len;
        __m256i r[8];
        for (int32_t i = 0; i < 8; i++) {
          /* Whole chunks are loaded in place; the last of a row (or a
             channel past out_c) through a zeroed copy, not to read past the
             weights. */
          const int8_t *src = weights + ((size_t)(first + i) * rows + row) * row_len + step_len * s0;
          int8_t part[32] = {0};
          if (i >= channels) src = part;
          else if (bytes < 8 * step_len) {
            for (int32_t k = 0; k < bytes; k++) part[k] = src[k];
            src = part;
          }
          r[i] = vnni ? _mm256_loadu_si256((const __m256i *)src) : _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)src));
        }
        dgi_v256_transpose8(r);
        int32_t n = steps - s0 < 8 ? steps - s0 : 8;
        for (int32_t i = 0; i < n; i++) {
          _mm256_storeu_si256((__m256i *)(panel + (((size_t)row * steps + s0 + i) * blocks + block) * 32), r[i]);
          /* Per channel, the sum of its 4 weight bytes (meaningful for VNNI only). */
          __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), r[i]);
          sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
        }
      }
    }
    int32_t sum[8];
    _mm256_storeu_si256((__m256i *)sum, sums);
    for (int32_t c = 0; c < 8; c++) {
      int32_t k = first + c, in = c < channels;
      params[k] = in ? (int32_t)((uint32_t)bias[k] - (uint32_t)sum[c] * correction) : 0;
      params[stride + k] = in ? multiplier[k] : 0;
      params[2 * stride + k] = in ? shift[k] : 0;
    }
  }
}

/* Requantizes and stores channels c..c+7 of the four positions a pass of a
   256-bit conv kernel computed: the pool's maximum (requantization is
   monotonic), or each of the `valid` positions. Shared by the AVX2 and
   AVX-VNNI kernels; only the pooled case, the common one, is inlined. */
static inline __attribute__((noinline)) DGI_AVX2 void dgi_v256_conv_out(const dgi_conv_job *j, uint8_t *out,
                                                                       const int32_t *params, int32_t valid,
                                                                       const __m256i acc[4]) {
  const int32_t count = j->out_c - (int32_t)(params - j->params) < 8 ? j->out_c - (int32_t)(params - j->params) : 8;
  const int32_t stride = 16 * ((j->out_c + 15) / 16);
  __m256i bias = _mm256_loadu_si256((const __m256i *)params);
  __m256i mult = _mm256_loadu_si256((const __m256i *)(params + stride));
  __m256i shift = _mm256_loadu_si256((const __m256i *)(params + 2 * stride));
  for (int32_t t = 0; t < valid; t++)
    dgi_v256_store(out + (size_t)t * j->out_c, _mm256_add_epi32(acc[t], bias), mult, shift, count, j->out_zero_point,
                   j->relu);
}
#define DGI_V256_OUT(b, c)                                                                                 \
  if ((c) < j->out_c) {                                                                                    \
    uint8_t *out = j->output + ((size_t)gy * j->grid_w + gx) * j->out_c + (c);                             \
    const int32_t *params = j->params + (c);                                                               \
    if (j->pooled) {                                                                                       \
      const int32_t stride = 16 * ((j->out_c + 15) / 16), count = j->out_c - (c) < 8 ? j->out_c - (c) : 8; \
      __m256i best = _mm256_max_epi32(_mm256_max_epi32(acc0##b, acc1##b), _mm256_max_epi32(acc2##b, acc3##b)); \
      dgi_v256_store(out, _mm256_add_epi32(best, _mm256_loadu_si256((const __m256i *)params)),            \
                     _mm256_loadu_si256((const __m256i *)(params + stride)),                               \
                     _mm256_loadu_si256((const __m256i *)(params + 2 * stride)), count, j->out_zero_point, \
                     j->relu);                                                                             \
    } else {                                                                                               \
      const __m256i acc[4] = {acc0##b, acc1##b, acc2##b, acc3##b};                                         \
      dgi_v256_conv_out(j, out, params, valid, acc);                                                       \
    }                                                                                                      \
  }

#define DGI_V256_ACC(h) __m256i acc0##h = _mm256_setzero_si256(), acc1##h = acc0##h, acc2##h = acc0##h, acc3##h = acc0##h;
#define DGI_V256_MAC(DOT, h)                                                   \
  {                                                                            \
    __m256i wv = _mm256_loadu_si256((const __m256i *)(w + 32 * h));            \
    DOT(acc0##h, a0, wv) DOT(acc1##h, a1, wv) DOT(acc2##h, a2, wv) DOT(acc3##h, a3, wv) \
  }
/*
** The 256-bit conv loop nest, shared by the AVX2 and AVX-VNNI kernels, whose
** panels have one byte layout, [row][step][8-channel block][8 channels]
** [4 bytes], a step being 4 bytes of staged input (an int16 pair for AVX2,
** a 4-byte group for AVX-VNNI; T is the staged element type). Each pass
** computes one 16-channel block (two halves of 8) at four positions: 8
** accumulators, 2 weight vectors and 4 broadcasts in the 16 registers.
** DOT(acc, a, w) adds to acc the products of the broadcast inputs a and the
** weights w.
*/
#define DGI_V256_CONV(T, DOT)                                                                      \
  const int32_t blocks = (j->out_c + 15) / 16, line = j->in_w * j->in_c, step = 4 / (int32_t)sizeof(T); \
  const size_t panel_step = (size_t)blocks * 64;                                                    \
  const T *input = (const T *)j->input;                                                             \
  for (int32_t block = 0; block < blocks; block++) {                                                \
    for (int32_t gy = 0; gy < j->grid_h; gy++) {                                                    \
      for (int32_t gx = 0; gx < j->grid_w; gx += j->pooled ? 1 : 4) {                               \
        size_t at[4];                                                                               \
        const int32_t valid = dgi_conv_positions(j, gy, gx, at);                                    \
        const T *x0 = input + at[0], *x1 = input + at[1], *x2 = input + at[2], *x3 = input + at[3]; \
        DGI_V256_ACC(0) DGI_V256_ACC(1)                                                             \
        const uint8_t *w = (const uint8_t *)j->panel + (size_t)block * 64;                          \
        for (int32_t row = 0; row < j->kh; row++) {                                                 \
          size_t at = (size_t)row * line;                                                           \
          for (int32_t s = 0; s < j->steps; s++, at += step) {                                      \
            int32_t v0, v1, v2, v3;                                                                 \
            __builtin_memcpy(&v0, x0 + at, 4);                                                      \
            __builtin_memcpy(&v1, x1 + at, 4);                                                      \
            __builtin_memcpy(&v2, x2 + at, 4);                                                      \
            __builtin_memcpy(&v3, x3 + at, 4);                                                      \
            __m256i a0 = _mm256_set1_epi32(v0), a1 = _mm256_set1_epi32(v1);                         \
            __m256i a2 = _mm256_set1_epi32(v2), a3 = _mm256_set1_epi32(v3);                         \
            DGI_V256_MAC(DOT, 0) DGI_V256_MAC(DOT, 1)                                               \
            w += panel_step;                                                                        \
          }                                                                                         \
        }                                                                                           \
        DGI_V256_OUT(0, 16 * block) DGI_V256_OUT(1, 16 * block + 8)                                 \
      }                                                                                             \
    }                                                                                               \
  }

/* acc += the products of int16 pairs, summed by pair (vpmaddwd). */
#define DGI_V256_MADD(acc, a, w) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a, w));

DGI_ENTRY DGI_AVX2 void dgi_avx2_conv(const dgi_conv_job *j) { DGI_V256_CONV(int16_t, DGI_V256_MADD) }

DGI_INLINE DGI_AVX2 int32_t dgi_v256_sum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

/* Adds the bias to the dot products `sums` of outputs o0..o0+count-1 of a
   dense layer (count <= 8), then requantizes and stores them. */
DGI_INLINE DGI_AVX2 void dgi_v256_dense_out(const dgi_dense_job *j, int32_t o0, int32_t count, const int32_t sums[8]) {
  int32_t acc[8] = {0}, mult[8] = {0}, shift[8] = {0};
  for (int32_t k = 0; k < count; k++) {
    int32_t b;
    __builtin_memcpy(&b, j->bias + o0 + k, 4);
    __builtin_memcpy(&mult[k], j->multiplier + o0 + k, 4);
    acc[k] = (int32_t)((uint32_t)sums[k] + (uint32_t)b);
    shift[k] = j->shift[o0 + k];
  }
  dgi_v256_store(j->output + o0, _mm256_loadu_si256((const __m256i *)acc), _mm256_loadu_si256((const __m256i *)mult),
                 _mm256_loadu_si256((const __m256i *)shift), count, j->out_zero_point, j->relu);
}

#define DGI_V256_DOT(r) acc##r = _mm256_add_epi32(acc##r, _mm256_madd_epi16(xv, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w##r + i)))));

DGI_ENTRY DGI_AVX2 void dgi_avx2_dense(const dgi_dense_job *j) {
  const int32_t n = j->n;
  const int16_t *x = (const int16_t *)j->input;
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 8) {
    int32_t count = j->out_c - o0 < 8 ? j->out_c - o0 : 8;
    int32_t sums[8] = {0};
    for (int32_t k = 0; k < count; k += 4) {
      DGI_DENSE_ROWS(o0 + k, count - k)
      __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      int32_t i = 0;
      for (; i + 16 <= n; i += 16) {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(x + i));
        DGI_V256_DOT(0) DGI_V256_DOT(1) DGI_V256_DOT(2) DGI_V256_DOT(3)
      }
      int32_t s0 = dgi_v256_sum(acc0), s1 = dgi_v256_sum(acc1), s2 = dgi_v256_sum(acc2), s3 = dgi_v256_sum(acc3);
      for (; i < n; i++) {
        s0 += x[i] * w0[i];
        s1 += x[i] * w1[i];
        s2 += x[i] * w2[i];
        s3 += x[i] * w3[i];
      }
      sums[k] = s0;
      if (k + 1 < count) sums[k + 1] = s1;
      if (k + 2 < count) sums[k + 2] = s2;
      if (k + 3 < count) sums[k + 3] = s3;
    }
    dgi_v256_dense_out(j, o0, count, sums);
  }
}

#endif /* DIGITINFER_X86_AVX2_H */
