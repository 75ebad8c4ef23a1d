/*
** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320: zlib's crc32()) by
** carry-less multiplication, for dgi_model_open, which checks every byte of
** a file. The byte-wise table in CRC32.swift takes about 170 us for the
** shipped 64 KB model; folding does 16 bytes per pair of pclmulqdq (2.7 us)
** and needs no table. (A 512-bit vpclmulqdq version took 0.8 us, but its
** 0.6 KB of code did not fit the library's 64 KB budget; 2.7 us is well
** inside dgi_model_open's 20 us.)
**
** Notation. P = x^32 + x^26 + ... + 1 (0x104C11DB7), arithmetic over GF(2).
** The CRC of a message M, without the pre- and post-inversion, is
** M(x) x^32 mod P; zlib's inversion of the initial value is the same as
** XORing ~0 into the first four message bytes, which is how it is applied
** here. The CRC is reflected: the first byte holds the highest powers, and
** bit 0 of a byte is its highest power. So a 16-byte block loaded
** little-endian holds X = sum b_i x^(127-i) (b_i: bit i of the register),
** its low quadword H and its high quadword L with X = H x^64 + L, and a
** quadword q stands for sum q_i x^(63-i).
**
** Why the constants are what they are. pclmulqdq of two such quadwords A
** and B yields the 127-bit product at bits 0..126, which as a 128-bit
** reflected register is A B x: one extra factor of x. Folding a block D
** bits forward (so it can be XORed into the block D bits later) must
** produce a register congruent to X x^D = H x^(D+64) + L x^D mod P. With
** constant quadwords kH and kL, clmul(H, kH) ^ clmul(L, kL) = (H kH + L kL) x,
** so kH = x^(D+63) and kL = x^(D-1), mod P. Any R x^32 with R = x^(D+31)
** mod P is congruent to x^(D+63), and as a quadword it is R, bit-reflected,
** in the low 32 bits (likewise for kL); hence every folding constant is
**
**     reflect32(x^(D+31) mod P)  and  reflect32(x^(D-33) mod P).
**
** D is 128 (one block) and 512 (four blocks).
**
** The final reduction of X to 32 bits (X x^32 mod P; "~" is congruence):
**   1. X x^32 = H x^96 + L x^32  ~  Y = H (x^95 mod P) x + L x^32, of
**      degree < 96; x^95 mod P has degree < 32, so it sits in the high half
**      of its quadword: reflect32(x^95 mod P) << 32.
**   2. Y = Yh x^64 + Yl with Yh of degree < 32, and Yh x^64 ~ Yh (x^63 mod P)
**      x, so Y ~ Z = Yh (x^63 mod P) x + Yl, of degree < 64.
**   3. Barrett: Z = Zh x^32 + Zl, q = floor(Zh mu / x^32) with mu =
**      floor(x^64 / P) = 0x104D101DF (exact over GF(2)), and Z mod P =
**      Zl + (q P mod x^32). mu and P have degree 32 and are stored as
**      reflect33(.) << 31; the operand is shifted left one bit (times x^31)
**      so that the product lands on a 32-bit boundary.
** Step 3 alone, with Zl = 0, is the CRC of up to four bytes: (crc ^ data),
** the k bytes of data in the top of a 32-bit word, is Zh, and crc >> 8k is
** what remains of the register. Short inputs and tails use that.
**
** CRCTests.swift recomputes every constant from its definition and checks
** the entry point against zlib at every length up to 300 bytes, larger
** sizes and all sixteen alignments.
*/
#ifndef DIGITINFER_X86_CRC32_H
#define DIGITINFER_X86_CRC32_H

#define DGI_PCLMUL __attribute__((target("pclmul,sse4.1")))

/* reflect32(x^k mod P), named by k. */
#define DGI_CRC_X63 0xB8BC6765u
#define DGI_CRC_X95 0xCCAA009Eu   /* D = 128: kL */
#define DGI_CRC_X159 0xAE689191u  /* D = 128: kH */
#define DGI_CRC_X479 0x1D9513D7u  /* D = 512 */
#define DGI_CRC_X543 0x8F352D95u
#define DGI_CRC_MU 0xFB808B2080000000ull /* reflect33(floor(x^64 / P)) << 31 */
#define DGI_CRC_P 0xEDB8832080000000ull  /* reflect33(P) << 31 */

/* A constant pair for folding D bits forward: kH in the low quadword (it
   multiplies H, the low quadword of a block), kL in the high one. */
#define DGI_CRC_FOLD(d) _mm_set_epi64x((long long)DGI_CRC_X##d##_L, (long long)DGI_CRC_X##d##_H)
#define DGI_CRC_X128_H DGI_CRC_X159
#define DGI_CRC_X128_L DGI_CRC_X95
#define DGI_CRC_X512_H DGI_CRC_X543
#define DGI_CRC_X512_L DGI_CRC_X479

/* Zh x^32 mod P, Zh reflected in 32 bits (step 3 with Zl = 0). */
DGI_INLINE DGI_PCLMUL uint32_t dgi_crc_barrett(uint32_t zh) {
  __m128i q = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)zh << 1), _mm_cvtsi64_si128((long long)DGI_CRC_MU), 0);
  q = _mm_srli_epi64(q, 32); /* floor(Zh mu / x^32), reflected in 32 bits */
  __m128i r = _mm_clmulepi64_si128(_mm_slli_epi64(q, 1), _mm_cvtsi64_si128((long long)DGI_CRC_P), 0);
  return (uint32_t)_mm_extract_epi32(r, 2);
}

/* Bytes one word or one byte at a time; crc is the inverted register. */
DGI_INLINE DGI_PCLMUL uint32_t dgi_crc_short(uint32_t crc, const uint8_t *p, size_t n) {
  for (; n >= 4; p += 4, n -= 4) {
    uint32_t w;
    __builtin_memcpy(&w, p, 4); /* x86 is little-endian: the first byte is the top of the polynomial */
    crc = dgi_crc_barrett(crc ^ w);
  }
  for (; n > 0; p++, n--) crc = (crc >> 8) ^ dgi_crc_barrett((crc ^ *p) << 24);
  return crc;
}

/* One block folded D bits forward (k from DGI_CRC_FOLD(D)), XORed into y. */
DGI_INLINE DGI_PCLMUL __m128i dgi_crc_fold(__m128i x, __m128i k, __m128i y) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), y);
}

/* The inverted CRC register at p is reduce(x) ^ crc, where x holds the
   bytes before p folded (or zero) and reduce() is the final reduction;
   crc is XORed into the first block, or into the register when no block is
   left (one and the same, as the CRC is linear). Folds the whole blocks
   one at a time, reduces to 32 bits and finishes the tail. Shared by both
   entry points and not inlined: one copy is enough. */
static inline __attribute__((noinline)) DGI_PCLMUL uint32_t dgi_crc_finish(__m128i x, uint32_t crc, const uint8_t *p,
                                                                         size_t n) {
  const __m128i k128 = DGI_CRC_FOLD(128);
  if (n >= 16) {
    x = dgi_crc_fold(x, k128, _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc)));
    crc = 0;
    for (p += 16, n -= 16; n >= 16; p += 16, n -= 16) x = dgi_crc_fold(x, k128, _mm_loadu_si128((const __m128i *)p));
  }
  /* Steps 1 and 2 of the reduction (the comment at the top). */
  __m128i y = _mm_clmulepi64_si128(x, _mm_cvtsi64_si128((long long)((uint64_t)DGI_CRC_X95 << 32)), 0x00);
  y = _mm_xor_si128(y, _mm_slli_si128(_mm_srli_si128(x, 8), 4)); /* + L x^32 */
  __m128i z = _mm_clmulepi64_si128(y, _mm_cvtsi64_si128((long long)((uint64_t)DGI_CRC_X63 << 32)), 0x00);
  z = _mm_xor_si128(z, y); /* Z is the high quadword */
  crc ^= dgi_crc_barrett((uint32_t)_mm_extract_epi32(z, 2)) ^ (uint32_t)_mm_extract_epi32(z, 3);
  return dgi_crc_short(crc, p, n);
}

/* zlib's crc32(crc, p, n), folding four 16-byte blocks at a time: four
   independent chains hide pclmulqdq's latency (2.7 us for 64 KB on Zen 5,
   7 us with one chain). */
DGI_ENTRY DGI_PCLMUL uint32_t dgi_crc32_pclmul(uint32_t crc, const void *data, size_t n) {
  const uint8_t *p = (const uint8_t *)data;
  __m128i x = _mm_setzero_si128();
  crc = ~crc;
  if (n >= 64) {
    const __m128i k512 = DGI_CRC_FOLD(512), k128 = DGI_CRC_FOLD(128);
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16)), x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
      x0 = dgi_crc_fold(x0, k512, _mm_loadu_si128((const __m128i *)p));
      x1 = dgi_crc_fold(x1, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
      x2 = dgi_crc_fold(x2, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
      x3 = dgi_crc_fold(x3, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    x = dgi_crc_fold(dgi_crc_fold(dgi_crc_fold(x0, k128, x1), k128, x2), k128, x3);
    crc = 0;
  }
  return ~dgi_crc_finish(x, crc, p, n);
}

#endif /* DIGITINFER_X86_CRC32_H */
