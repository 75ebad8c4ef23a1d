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
** serves every layer: 4 KB of code less than a separate one-block copy.
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
** Packs a conv layer's weights into [row][pair][block][8 channels][2 int16]
** (zero past the row and past out_c) and its parameters into `params` as
** dgi_avx512vnni_pack_conv does, with the file's bias (inputs are q - zp
** here, so there is nothing to correct). Eight channel rows of 16 weights
** at a time are widened and transposed as 8x8 pairs.
*/
DGI_ENTRY DGI_AVX2 void dgi_avx2_pack_conv(int16_t *panel, int32_t *params, const int8_t *weights,
                                          const int32_t *bias, const int32_t *multiplier, const uint8_t *shift,
                                          int32_t out_c, int32_t rows, int32_t row_len, int32_t pairs) {
  int32_t blocks = 2 * ((out_c + 15) / 16), stride = 8 * blocks;
  for (int32_t block = 0; block < blocks; block++) {
    int32_t channels = out_c - 8 * block < 0 ? 0 : out_c - 8 * block < 8 ? out_c - 8 * block : 8;
    for (int32_t row = 0; row < rows; row++) {
      for (int32_t p0 = 0; p0 < pairs; p0 += 8) {
        int32_t bytes = row_len - 2 * p0 < 16 ? row_len - 2 * p0 : 16;
        __m256i r[8];
        for (int32_t i = 0; i < 8; i++) {
          const int8_t *src = weights + ((size_t)(8 * block + i) * rows + row) * row_len + 2 * p0;
          int8_t part[16] = {0};
          if (i < channels)
            for (int32_t k = 0; k < bytes; k++) part[k] = src[k];
          r[i] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)part));
        }
        dgi_v256_transpose8(r);
        int32_t n = pairs - p0 < 8 ? pairs - p0 : 8;
        for (int32_t i = 0; i < n; i++)
          _mm256_storeu_si256((__m256i *)(panel + (((size_t)row * pairs + p0 + i) * blocks + block) * 16), r[i]);
      }
    }
  }
  for (int32_t c = 0; c < stride; c++) {
    params[c] = c < out_c ? bias[c] : 0;
    params[stride + c] = c < out_c ? multiplier[c] : 0;
    params[2 * stride + c] = c < out_c ? shift[c] : 0;
  }
}

#define DGI_V256_ACC(b) __m256i acc0##b = _mm256_setzero_si256(), acc1##b = acc0##b, acc2##b = acc0##b, acc3##b = acc0##b;
#define DGI_V256_MAC(b)                                                       \
  if (NB > b) {                                                               \
    __m256i wv = _mm256_loadu_si256((const __m256i *)(w + 16 * b));           \
    acc0##b = _mm256_add_epi32(acc0##b, _mm256_madd_epi16(a0, wv));           \
    acc1##b = _mm256_add_epi32(acc1##b, _mm256_madd_epi16(a1, wv));           \
    acc2##b = _mm256_add_epi32(acc2##b, _mm256_madd_epi16(a2, wv));           \
    acc3##b = _mm256_add_epi32(acc3##b, _mm256_madd_epi16(a3, wv));           \
  }
#define DGI_V256_OUT(b)                                                                                 \
  if (NB > b) {                                                                                         \
    int32_t c = 8 * (first + b), count = j->out_c - c < 8 ? j->out_c - c : 8;                          \
    if (count > 0) {                                                                                    \
    __m256i bias = _mm256_loadu_si256((const __m256i *)(j->params + c));                                \
    __m256i mult = _mm256_loadu_si256((const __m256i *)(j->params + stride + c));                       \
    __m256i shift = _mm256_loadu_si256((const __m256i *)(j->params + 2 * stride + c));                  \
    uint8_t *out = j->output + ((size_t)gy * j->grid_w + gx) * j->out_c + c;                            \
    if (j->pooled) {                                                                                    \
      __m256i best = _mm256_max_epi32(_mm256_max_epi32(acc0##b, acc1##b), _mm256_max_epi32(acc2##b, acc3##b)); \
      dgi_v256_store(out, _mm256_add_epi32(best, bias), mult, shift, count, zp, relu);                  \
    } else {                                                                                            \
      dgi_v256_store(out, _mm256_add_epi32(acc0##b, bias), mult, shift, count, zp, relu);               \
      if (valid > 1) dgi_v256_store(out + j->out_c, _mm256_add_epi32(acc1##b, bias), mult, shift, count, zp, relu); \
      if (valid > 2) dgi_v256_store(out + 2 * j->out_c, _mm256_add_epi32(acc2##b, bias), mult, shift, count, zp, relu); \
      if (valid > 3) dgi_v256_store(out + 3 * j->out_c, _mm256_add_epi32(acc3##b, bias), mult, shift, count, zp, relu); \
    }                                                                                                   \
    }                                                                                                   \
  }

/* Four positions x NB 8-channel blocks of one conv (NB constant after inlining). */
DGI_INLINE DGI_AVX2 void dgi_v256_conv_blocks(const dgi_conv_job *j, int32_t first, const int NB) {
  const int32_t blocks = 2 * ((j->out_c + 15) / 16), stride = 8 * blocks;
  const size_t panel_pair = (size_t)blocks * 16; /* int16 */
  const int32_t line = j->in_w * j->in_c, zp = j->out_zero_point, relu = j->relu;
  const int16_t *input = (const int16_t *)j->input;
  for (int32_t gy = 0; gy < j->grid_h; gy++) {
    for (int32_t gx = 0; gx < j->grid_w; gx += j->pooled ? 1 : 4) {
      size_t at[4];
      const int32_t valid = dgi_conv_positions(j, gy, gx, at);
      const int16_t *x0 = input + at[0], *x1 = input + at[1], *x2 = input + at[2], *x3 = input + at[3];
      DGI_V256_ACC(0) DGI_V256_ACC(1)
      const int16_t *w = (const int16_t *)j->panel + (size_t)first * 16;
      for (int32_t row = 0; row < j->kh; row++) {
        size_t at = (size_t)row * line;
        for (int32_t p = 0; p < j->steps; p++, at += 2) {
          int32_t v0, v1, v2, v3;
          __builtin_memcpy(&v0, x0 + at, 4);
          __builtin_memcpy(&v1, x1 + at, 4);
          __builtin_memcpy(&v2, x2 + at, 4);
          __builtin_memcpy(&v3, x3 + at, 4);
          __m256i a0 = _mm256_set1_epi32(v0), a1 = _mm256_set1_epi32(v1);
          __m256i a2 = _mm256_set1_epi32(v2), a3 = _mm256_set1_epi32(v3);
          DGI_V256_MAC(0) DGI_V256_MAC(1)
          w += panel_pair;
        }
      }
      DGI_V256_OUT(0) DGI_V256_OUT(1)
    }
  }
}

DGI_ENTRY DGI_AVX2 void dgi_avx2_conv(const dgi_conv_job *j) {
  const int32_t blocks = 2 * ((j->out_c + 15) / 16);
  for (int32_t first = 0; first < blocks; first += 2) dgi_v256_conv_blocks(j, first, 2);
}

DGI_INLINE DGI_AVX2 int32_t dgi_v256_sum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

#define DGI_V256_DOT(r) acc##r = _mm256_add_epi32(acc##r, _mm256_madd_epi16(xv, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w##r + i)))));

DGI_ENTRY DGI_AVX2 void dgi_avx2_dense(const dgi_dense_job *j) {
  const int32_t n = j->n;
  const int16_t *x = (const int16_t *)j->input;
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 8) {
    int32_t count = j->out_c - o0 < 8 ? j->out_c - o0 : 8;
    int32_t sums[8] = {0}, mult[8] = {0}, shift[8] = {0};
    for (int32_t k = 0; k < count; k += 4) {
      const int8_t *w0 = j->weights + (size_t)(o0 + k) * n;
      const int8_t *w1 = k + 1 < count ? w0 + n : w0;
      const int8_t *w2 = k + 2 < count ? w1 + n : w1;
      const int8_t *w3 = k + 3 < count ? w2 + n : w2;
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
    for (int32_t k = 0; k < count; k++) {
      int32_t b;
      __builtin_memcpy(&b, j->bias + o0 + k, 4);
      __builtin_memcpy(&mult[k], j->multiplier + o0 + k, 4);
      sums[k] = (int32_t)((uint32_t)sums[k] + (uint32_t)b);
      shift[k] = j->shift[o0 + k];
    }
    dgi_v256_store(j->output + o0, _mm256_loadu_si256((const __m256i *)sums),
                   _mm256_loadu_si256((const __m256i *)mult), _mm256_loadu_si256((const __m256i *)shift), count,
                   j->out_zero_point, j->relu);
  }
}

#endif /* DIGITINFER_X86_AVX2_H */
