/// The one primitive the optimized kernels need: multiply eight int16 pairs
/// and add adjacent products into four int32 lanes (x86 `pmaddwd`, Arm
/// `smlad`, wasm `i32x4.dot_i16x8_s`). Every product fits int16 x int16 and
/// every partial sum fits int32 (the reader bounds each layer's worst-case
/// sum), so any grouping of the additions gives the same integer: the
/// kernels stay bit-exact with the reference on every target.
#if arch(x86_64) && !DIGITINFER_PORTABLE
import _Builtin_intrinsics.intel

enum Lanes {
  typealias Acc = __m128i
  typealias Pairs = __m128i
  @inline(__always) static func zero() -> Acc { _mm_setzero_si128() }
  /// Eight int16 from any alignment.
  @inline(__always) static func load(_ p: UnsafeRawPointer) -> Pairs { p.loadUnaligned(as: __m128i.self) }
  /// Eight int8 from any alignment, sign-extended to int16.
  @inline(__always) static func loadWidened(_ p: UnsafeRawPointer) -> Pairs {
    let v = _mm_loadl_epi64(p.assumingMemoryBound(to: __m128i.self))
    return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8)
  }
  /// Two int16 from any alignment, repeated into all four pairs.
  @inline(__always) static func broadcastPair(_ p: UnsafeRawPointer) -> Pairs {
    _mm_set1_epi32(p.loadUnaligned(as: Int32.self))
  }
  /// acc[i] += a[2i] * b[2i] + a[2i+1] * b[2i+1]
  @inline(__always) static func madd(_ acc: Acc, _ a: Pairs, _ b: Pairs) -> Acc {
    _mm_add_epi32(acc, _mm_madd_epi16(a, b))
  }
  @inline(__always) static func lanes(_ acc: Acc) -> SIMD4<Int32> { unsafeBitCast(acc, to: SIMD4<Int32>.self) }
}
#else
#if arch(wasm32) && DIGITINFER_WASM_SIMD
import DigitInferKernels
#endif

enum Lanes {
  typealias Acc = SIMD4<Int32>
  typealias Pairs = SIMD8<Int16>
  @inline(__always) static func zero() -> Acc { Acc() }
  @inline(__always) static func load(_ p: UnsafeRawPointer) -> Pairs { p.loadUnaligned(as: Pairs.self) }
  @inline(__always) static func loadWidened(_ p: UnsafeRawPointer) -> Pairs {
    Pairs(truncatingIfNeeded: p.loadUnaligned(as: SIMD8<Int8>.self))
  }
  @inline(__always) static func broadcastPair(_ p: UnsafeRawPointer) -> Pairs {
    let a = p.loadUnaligned(as: Int16.self), b = p.loadUnaligned(fromByteOffset: 2, as: Int16.self)
    return Pairs(a, b, a, b, a, b, a, b)
  }
  @inline(__always) static func madd(_ acc: Acc, _ a: Pairs, _ b: Pairs) -> Acc {
    #if arch(wasm32) && DIGITINFER_WASM_SIMD
    // tools/web/build.sh's SIMD module: i32x4.dot_i16x8_s (kernels.h), which
    // LLVM does not find in the widened form below.
    return dgi_wasm_madd(acc, unsafeBitCast(a, to: v128_t.self), unsafeBitCast(b, to: v128_t.self))
    #else
    let p = SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
    return acc &+ p.evenHalf &+ p.oddHalf
    #endif
  }
  @inline(__always) static func lanes(_ acc: Acc) -> SIMD4<Int32> { acc }
}
#endif

/// Sixteen int16 lanes at a time, multiplied and summed into eight int32
/// pair-sums (the same function as two `Lanes.madd`s), as two `Lanes`
/// vectors: two 128-bit registers on x86-64, two SIMD vectors elsewhere and
/// with DIGITINFER_PORTABLE. The 256- and 512-bit x86 paths are the C
/// microkernels of Sources/DigitInferKernels, chosen at run time.
/// Layouts stay 8-lane aligned so that scratch sizes are the
/// same on every target; kernels finish odd chunks with `Lanes`.
enum Wide {
  struct Acc {
    var low: Lanes.Acc, high: Lanes.Acc
  }
  struct Pairs {
    var low: Lanes.Pairs, high: Lanes.Pairs
  }
  @inline(__always) static func zero() -> Acc { Acc(low: Lanes.zero(), high: Lanes.zero()) }
  @inline(__always) static func load(_ p: UnsafeRawPointer) -> Pairs {
    Pairs(low: Lanes.load(p), high: Lanes.load(p + 16))
  }
  @inline(__always) static func broadcastPair(_ p: UnsafeRawPointer) -> Pairs {
    let b = Lanes.broadcastPair(p)
    return Pairs(low: b, high: b)
  }
  @inline(__always) static func madd(_ acc: Acc, _ a: Pairs, _ b: Pairs) -> Acc {
    Acc(low: Lanes.madd(acc.low, a.low, b.low), high: Lanes.madd(acc.high, a.high, b.high))
  }
  @inline(__always) static func lanes(_ acc: Acc) -> SIMD8<Int32> {
    SIMD8(lowHalf: Lanes.lanes(acc.low), highHalf: Lanes.lanes(acc.high))
  }
}

