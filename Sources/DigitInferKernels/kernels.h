/*
** The runtime's x86-64 and AArch64 microkernels (private to libdigitinfer).
**
** Swift 6.3 cannot compile one function for AVX-512 and its neighbour for
** SSE2 in the same module, so the innermost instruction-set-specific loops
** live here, as static inline C functions with __attribute__((target)),
** beside their Swift definitions (ReferenceKernels.swift). Swift imports
** this header as a clang module and compiles it itself: the library stays
** one Swift module with no C target and no compiler flags, and dgi_model_open
** chooses the set from cpuid (Dispatch.swift). Every kernel is bit-exact with
** the reference kernels; the tests run each set the CPU has.
**
** Data layout shared by these kernels ("offset binary"): an int8 activation
** q is stored as the byte q + 128 (q ^ 0x80), so that it is an unsigned
** operand of u8 x s8 dot products. For a layer whose input zero point is zp:
**
**     sum (q - zp) w  =  sum (q + 128) w  -  (128 + zp) sum w
**
** The second term is folded into a corrected bias when the weights are
** packed, in wrapping 32-bit arithmetic: the true sum fits int32 (the reader
** bounds it), so the wrapped intermediate values cancel exactly. The AVX2
** kernels widen a conv's input to int16 q - zp as it is staged, and sdot
** (signed x signed, arm_neondot.h) reads it staged as int8 q; each kernel
** set folds its own correction.
*/
#ifndef DIGITINFER_KERNELS_H
#define DIGITINFER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* One convolution, optionally fused with the 2x2 max-pool that follows it. */
typedef struct dgi_conv_job {
  const void *input;         /* staged by the caller, padding included: in_h x in_w x in_c, HWC;
                                offset-binary bytes (VNNI), int16 q - zp (AVX2) or int8 q (sdot) */
  uint8_t *output;           /* offset binary, HWC: grid_h x grid_w x out_c */
  const void *panel;         /* packed weights (the set's pack function) */
  const int32_t *params;     /* packed: bias, multiplier, shift, each out_c rounded up to 16 int32 */
  int32_t in_w, in_c;        /* of the padded input */
  int32_t kh, steps;         /* kernel rows; per kernel row: 4-byte groups (VNNI, sdot), pairs (AVX2)
                                or values (DSP) */
  int32_t out_c, grid_h, grid_w, pooled;
  int32_t in_zero_point, out_zero_point, relu;
  void *work;                /* DSP: room for four im2col columns (4 x kh x steps int16) */
} dgi_conv_job;

/* The four output positions one pass of a conv kernel computes, as element
   offsets into the staged input: the 2x2 taps of pooled cell (gy, gx), or
   positions gx..gx+3 of row gy (past the row's end the last one is computed
   again). Returns how many distinct outputs the pass stores. */
static inline __attribute__((always_inline)) int32_t dgi_conv_positions(const dgi_conv_job *j, int32_t gy, int32_t gx,
                                                                       size_t at[4]) {
  const size_t pixel = (size_t)j->in_c, line = (size_t)j->in_w * pixel;
  if (j->pooled) {
    at[0] = (size_t)(2 * gy) * line + (size_t)(2 * gx) * pixel;
    at[1] = at[0] + pixel;
    at[2] = at[0] + line;
    at[3] = at[2] + pixel;
    return 4;
  }
  int32_t valid = j->grid_w - gx < 4 ? j->grid_w - gx : 4;
  for (int32_t t = 0; t < 4; t++) at[t] = (size_t)gy * line + (size_t)(gx + (t < valid ? t : valid - 1)) * pixel;
  return valid;
}

/* One fully connected layer; weights and parameters are read in the file. */
typedef struct dgi_dense_job {
  const void *input;         /* n values: offset-binary bytes (VNNI, sdot) or int16 q - zp (AVX2) */
  uint8_t *output;           /* offset binary, out_c bytes */
  const int8_t *weights;     /* [out_c][n] */
  const int32_t *bias, *multiplier;
  const uint8_t *shift;
  int32_t n, out_c, in_zero_point, out_zero_point, relu;
} dgi_dense_job;

/* Helpers are inlined into their kernel. Entry points, called from Swift,
   are never inlined: Swift code is compiled for the baseline CPU, and an
   AVX-512 (or sdot) body inlined into it would not compile. */
#define DGI_INLINE static inline __attribute__((always_inline))
#define DGI_ENTRY static inline __attribute__((noinline))

/* The weight rows w0..w3 of outputs o..o+3 of a dense layer, of which
   `left` remain: four rows at a time keep four dependency chains in flight,
   and rows past the end repeat the last one (their sums are not kept). */
#define DGI_DENSE_ROWS(o, left)                                     \
  const int8_t *w0 = j->weights + (size_t)(o) * j->n;               \
  const int8_t *w1 = (left) > 1 ? w0 + j->n : w0;                   \
  const int8_t *w2 = (left) > 2 ? w1 + j->n : w1;                   \
  const int8_t *w3 = (left) > 3 ? w2 + j->n : w2;

#if defined(__x86_64__)
#include <immintrin.h>

/* Instruction sets this CPU and its operating system support. */
#define DGI_X86_AVX2 1u
#define DGI_X86_AVX512VNNI 2u
#define DGI_X86_AVXVNNI 4u     /* the 256-bit (VEX) vpdpbusd */
#define DGI_X86_PCLMUL 8u      /* pclmulqdq and SSE4.1: CRC-32 (x86_crc32.h) */
#define DGI_X86_KNOWN 0x80000000u /* dgi_x86_features: the cache is filled */

static inline void dgi_x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* cpuid says what the core has; XCR0 says whether the OS saves the wider
   registers on a context switch. Both must agree before a kernel may use them.
   Not inlined: it runs once (dgi_x86_features). */
static inline __attribute__((noinline)) uint32_t dgi_x86_query(void) {
  uint32_t r[4], features = 0;
  dgi_x86_cpuid(0, 0, r);
  uint32_t max_leaf = r[0];
  if (max_leaf >= 1) {
    dgi_x86_cpuid(1, 0, r);
    uint32_t ecx1 = r[2];
    if ((ecx1 & (1u << 1)) && (ecx1 & (1u << 19))) features |= DGI_X86_PCLMUL; /* PCLMULQDQ, SSE4.1 */
    uint32_t xcr0_lo = 0, xcr0_hi;
    if (ecx1 & (1u << 27)) __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0)); /* OSXSAVE */
    int ymm_state = (ecx1 & (1u << 28)) && (xcr0_lo & 0x6u) == 0x6u; /* AVX; XMM and YMM state */
    int zmm_state = ymm_state && (xcr0_lo & 0xE0u) == 0xE0u;          /* opmask, ZMM_Hi256, Hi16_ZMM */
    if (max_leaf >= 7 && ymm_state) {
      dgi_x86_cpuid(7, 0, r);
      uint32_t ebx = r[1], ecx = r[2];
      if (ebx & (1u << 5)) features |= DGI_X86_AVX2;
      uint32_t avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31); /* F, DQ, BW, VL */
      if (zmm_state && (ebx & avx512) == avx512 && (ecx & (1u << 11))) features |= DGI_X86_AVX512VNNI;
      if (r[0] >= 1 && (ebx & (1u << 5))) { /* leaf 7 has subleaf 1; AVX2 */
        dgi_x86_cpuid(7, 1, r);
        if (r[0] & (1u << 4)) features |= DGI_X86_AVXVNNI;
      }
    }
  }
  return features;
}

/* The DGI_X86_* bits, cached for the process: cpuid traps to the hypervisor
   in a virtual machine (microseconds each), and dgi_model_open asks every
   time. The answer never changes, so threads racing to fill the cache store
   the same value and relaxed atomics suffice. */
static inline uint32_t dgi_x86_features(void) {
  static uint32_t cache; /* 0 until filled, then features | DGI_X86_KNOWN */
  uint32_t known = __atomic_load_n(&cache, __ATOMIC_RELAXED);
  if (!known) {
    known = dgi_x86_query() | DGI_X86_KNOWN;
    __atomic_store_n(&cache, known, __ATOMIC_RELAXED);
  }
  return known & ~DGI_X86_KNOWN;
}


/* The environment variable that forces a kernel set (Dispatch.swift); C
   spells the name so that Swift passes no string (which would allocate). */
char *getenv(const char *name);
static inline const char *dgi_env_kernels(void) { return getenv("DIGITINFER_KERNELS"); }

#include "x86_avx512vnni.h"
#include "x86_avx2.h"
#include "x86_avxvnni.h"
#include "x86_crc32.h"

#endif /* __x86_64__ */

#if defined(__aarch64__)
#include <arm_neon.h>

/* Instruction sets this CPU supports (beyond the baseline's Advanced SIMD). */
#define DGI_ARM_DOTPROD 1u /* FEAT_DotProd: sdot, udot */

/* DIGITINFER_LINUX: a Linux library built from the bare-metal target
   (tools/install.sh --target aarch64-linux-gnu on an x86-64 toolchain). */
#if (defined(__linux__) || defined(DIGITINFER_LINUX)) && !defined(__ARM_FEATURE_DOTPROD)
unsigned long getauxval(unsigned long type);
#endif

/* What the build guarantees, else what the system reports: on Linux the
   kernel's hardware capabilities; on bare metal (the library runs at EL1 or
   above) the ID register itself. Other systems (macOS, iOS) get the
   baseline unless the build targets a CPU with the extension. */
static inline uint32_t dgi_arm_features(void) {
#if defined(__ARM_FEATURE_DOTPROD)
  return DGI_ARM_DOTPROD;
#elif defined(__linux__) || defined(DIGITINFER_LINUX)
  return (getauxval(16 /* AT_HWCAP */) & (1ul << 20) /* HWCAP_ASIMDDP */) ? DGI_ARM_DOTPROD : 0;
#elif defined(__APPLE__)
  return 0;
#else
  uint64_t isar0;
  __asm__("mrs %0, ID_AA64ISAR0_EL1" : "=r"(isar0));
  return ((isar0 >> 44) & 0xF) >= 1 ? DGI_ARM_DOTPROD : 0; /* the DP field */
#endif
}

#include "arm_neondot.h"

#endif /* __aarch64__ */

#if defined(__arm__)
/* 32-bit Arm (Cortex-M): the DSP extension is fixed by the build's target
   (Armv7E-M and the Armv8-M cores that have it); arm_dsp.h compiles to
   plain C without it. */
#define DGI_ARM_DSP 1u
static inline uint32_t dgi_arm32_features(void) {
#if defined(__ARM_FEATURE_DSP)
  return DGI_ARM_DSP;
#else
  return 0;
#endif
}

#include "arm_dsp.h"
#endif /* __arm__ */

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

/* Lanes.madd for wasm SIMD (Lanes.swift): i32x4.dot_i16x8_s multiplies eight
   int16 pairs and adds adjacent products, as x86's pmaddwd does; LLVM does
   not find it in the portable Swift form. */
static inline __attribute__((always_inline)) v128_t dgi_wasm_madd(v128_t acc, v128_t a, v128_t b) {
  return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(a, b));
}
#endif /* __wasm_simd128__ */
#endif /* DIGITINFER_KERNELS_H */
