/// Softmax of int8 logits without floating-point exponentials, so that
/// probabilities are identical on every platform (libm's expf is not).
///
/// With output scale s, p_i is proportional to exp(s * (q_i - q_max)) =
/// 2^-(d_i * s * log2 e) where d_i = q_max - q_i in 0...255. The file
/// stores beta = round(s * log2(e) * 2^24), so t_i = d_i * beta is the
/// exponent in Q8.24. 2^-t is 2^-(integer part) (a shift) times 2^-(fraction)
/// (a fixed-point series). The only floating-point operations are the
/// conversions of the integer weights and one division per class, all
/// correctly rounded in IEEE-754.
enum Softmax {
  static let one: Int64 = 1 << 30
  static let ln2Q30: Int64 = 744_261_118  // round(ln 2 * 2^30)

  /// 2^-f for f in [0, 2^24) (Q24), as a Q30 integer in (2^29, 2^30].
  @inline(__always) static func exp2Fraction(_ f: UInt64) -> Int64 {
    // e^-y with y = f * ln 2 < 0.7, by Horner's rule on the Taylor series:
    // ten terms leave a truncation error below 2^-30.
    let y = Int64((f * UInt64(ln2Q30)) >> 24)
    var p = one
    var k: Int64 = 10
    while k > 0 {
      p = one - ((y * p) >> 30) / k
      k -= 1
    }
    return p
  }

  /// The index of the largest of `logits[0..<count]` (the first one on ties).
  @inline(__always) static func best(_ logits: UnsafePointer<Int8>, _ count: Int) -> Int {
    var best = 0
    for i in 1..<count where logits[i] > logits[best] { best = i }
    return best
  }

  /// Fills `probabilities[0..<count]` (the rest, up to FileLayout.maxClasses,
  /// 0) and returns the index of the largest logit (the first one on ties).
  /// The softmax runs over every class, "not a digit" included.
  static func run(
    _ logits: UnsafePointer<Int8>, _ count: Int, beta: UInt32,
    _ probabilities: UnsafeMutablePointer<Float>
  ) -> Int {
    let best = best(logits, count)
    let top = Int32(logits[best])
    var weights: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var total: UInt64 = 0
    withUnsafeMutableBytes(of: &weights) { raw in
      for i in 0..<count {
        let t = UInt64(top - Int32(logits[i])) * UInt64(beta)
        let whole = t >> 24
        let e = whole >= 40 ? 0 : UInt64(exp2Fraction(t & 0xFF_FFFF)) >> whole
        raw.storeBytes(of: e, toByteOffset: 8 * i, as: UInt64.self)
        total += e
      }
      for i in 0..<FileLayout.maxClasses {
        let e = i < count ? raw.load(fromByteOffset: 8 * i, as: UInt64.self) : 0
        probabilities[i] = Float(e) / Float(total)
      }
    }
    return best
  }
}
