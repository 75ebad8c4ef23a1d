/// The one primitive the optimized kernels need: multiply eight int16 pairs
/// and add adjacent products into int32 lanes (x86 `pmaddwd`, Arm `smlad`).
/// Every product fits int16 x int16 and every partial sum fits int32 (the
/// reader bounds each layer's worst-case sum), so any grouping of the
/// additions gives the same integer: the kernels stay bit-exact with the
/// reference whatever the lane width.
#if arch(x86_64)
import _Builtin_intrinsics.intel

enum Lanes {
  typealias Acc = __m128i
  @inline(__always) static func zero() -> Acc { _mm_setzero_si128() }
  /// Eight int16 from any alignment.
  @inline(__always) static func load(_ p: UnsafeRawPointer) -> __m128i {
    p.loadUnaligned(as: __m128i.self)
  }
  /// Eight int8 from any alignment, sign-extended to int16.
  @inline(__always) static func loadWidened(_ p: UnsafeRawPointer) -> __m128i {
    let v = _mm_loadl_epi64(p.assumingMemoryBound(to: __m128i.self))
    return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8)
  }
  @inline(__always) static func madd(_ acc: Acc, _ a: __m128i, _ b: __m128i) -> Acc {
    _mm_add_epi32(acc, _mm_madd_epi16(a, b))
  }
  @inline(__always) static func sum(_ acc: Acc) -> Int32 {
    unsafeBitCast(acc, to: SIMD4<Int32>.self).wrappedSum()
  }
}
#else
enum Lanes {
  typealias Acc = SIMD8<Int32>
  @inline(__always) static func zero() -> Acc { Acc() }
  @inline(__always) static func load(_ p: UnsafeRawPointer) -> SIMD8<Int16> {
    p.loadUnaligned(as: SIMD8<Int16>.self)
  }
  @inline(__always) static func loadWidened(_ p: UnsafeRawPointer) -> SIMD8<Int16> {
    SIMD8<Int16>(truncatingIfNeeded: p.loadUnaligned(as: SIMD8<Int8>.self))
  }
  @inline(__always) static func madd(_ acc: Acc, _ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> Acc {
    acc &+ SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
  }
  @inline(__always) static func sum(_ acc: Acc) -> Int32 { acc.wrappedSum() }
}
#endif
