/*
** AVX-VNNI kernels, for x86-64 CPUs with the 256-bit (VEX) vpdpbusd but no
** AVX-512: Intel's client cores since Alder Lake (2021), and the E-cores
** of hybrid parts. vpdpbusd multiplies 4 unsigned activation bytes by 4
** signed weight bytes and adds them to an int32 lane, eight lanes per
** instruction.
**
** The data layout is the AVX-512 VNNI one (x86_avx512vnni.h): offset-binary
** activations, and the same packed panel, [row][group][16-channel block]
** [16 channels][4 bytes], whose 64-byte block is here two vectors of eight
** channels. Only the pack differs: it runs on AVX2 (dgi_avx2_pack_conv with
** vnni = 1) instead of AVX-512.
**
** Convolution: the AVX2 kernel's loop nest (DGI_V256_CONV), with vpdpbusd
** on 4-byte groups where AVX2 has vpmaddwd on int16 pairs. Dense: as the
** AVX-512 kernel, 32 bytes of four rows at a time, then horizontal sums.
*/
#ifndef DIGITINFER_X86_AVXVNNI_H
#define DIGITINFER_X86_AVXVNNI_H

#define DGI_AVXVNNI __attribute__((target("avx2,avxvnni")))

/* acc += the products of unsigned input bytes and signed weights, summed by
   4 (vpdpbusd). */
#define DGI_VNNI256_DPBUSD(acc, a, w) acc = _mm256_dpbusd_avx_epi32(acc, a, w);

DGI_ENTRY DGI_AVXVNNI void dgi_avxvnni_conv(const dgi_conv_job *j) { DGI_V256_CONV(uint8_t, DGI_VNNI256_DPBUSD) }

#define DGI_VNNI256_DOT(r, xv, wv)                    \
  acc##r = _mm256_dpbusd_avx_epi32(acc##r, xv, wv);   \
  sw##r = _mm256_dpbusd_avx_epi32(sw##r, ones, wv);

DGI_ENTRY DGI_AVXVNNI void dgi_avxvnni_dense(const dgi_dense_job *j) {
  const int32_t n = j->n, correction = -(128 + j->in_zero_point);
  const uint8_t *x = (const uint8_t *)j->input;
  const __m256i ones = _mm256_set1_epi8(1);
  for (int32_t o0 = 0; o0 < j->out_c; o0 += 8) {
    int32_t count = j->out_c - o0 < 8 ? j->out_c - o0 : 8;
    int32_t sums[8] = {0};
    for (int32_t k = 0; k < count; k += 4) {
      DGI_DENSE_ROWS(o0 + k, count - k)
      __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      __m256i sw0 = acc0, sw1 = acc0, sw2 = acc0, sw3 = acc0;
      int32_t i = 0;
      for (; i + 32 <= n; i += 32) {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(x + i));
        DGI_VNNI256_DOT(0, xv, _mm256_loadu_si256((const __m256i *)(w0 + i)))
        DGI_VNNI256_DOT(1, xv, _mm256_loadu_si256((const __m256i *)(w1 + i)))
        DGI_VNNI256_DOT(2, xv, _mm256_loadu_si256((const __m256i *)(w2 + i)))
        DGI_VNNI256_DOT(3, xv, _mm256_loadu_si256((const __m256i *)(w3 + i)))
      }
      /* sum (x - 128 - zp) w, in wrapping arithmetic like the bias correction. */
      uint32_t s0 = (uint32_t)dgi_v256_sum(acc0) + (uint32_t)dgi_v256_sum(sw0) * (uint32_t)correction;
      uint32_t s1 = (uint32_t)dgi_v256_sum(acc1) + (uint32_t)dgi_v256_sum(sw1) * (uint32_t)correction;
      uint32_t s2 = (uint32_t)dgi_v256_sum(acc2) + (uint32_t)dgi_v256_sum(sw2) * (uint32_t)correction;
      uint32_t s3 = (uint32_t)dgi_v256_sum(acc3) + (uint32_t)dgi_v256_sum(sw3) * (uint32_t)correction;
      for (; i < n; i++) {
        uint32_t v = (uint32_t)(x[i] + correction);
        s0 += v * (uint32_t)w0[i];
        s1 += v * (uint32_t)w1[i];
        s2 += v * (uint32_t)w2[i];
        s3 += v * (uint32_t)w3[i];
      }
      sums[k] = (int32_t)s0;
      if (k + 1 < count) sums[k + 1] = (int32_t)s1;
      if (k + 2 < count) sums[k + 2] = (int32_t)s2;
      if (k + 3 < count) sums[k + 3] = (int32_t)s3;
    }
    dgi_v256_dense_out(j, o0, count, sums);
  }
}

#endif /* DIGITINFER_X86_AVXVNNI_H */
