/// Fixed-point requantization exactly as TensorFlow Lite's reference
/// kernels do it: gemmlowp's SaturatingRoundingDoublingHighMul, then
/// RoundingDivideByPOT. `multiplier` is in [0, 2^31) and stands for
/// multiplier / 2^31; `shift` is a right shift in 0...31. The result is
///   h = floor(acc * multiplier / 2^31 + 1/2)      (ties toward +infinity)
///   r = h / 2^shift rounded to nearest, ties away from zero
/// The asymmetric first rounding is gemmlowp's (its negative nudge is
/// 1 - 2^30); keeping it makes our int8 outputs match TFLite's.
@inline(__always)
func requantize(_ acc: Int32, _ multiplier: Int32, _ shift: UInt8) -> Int32 {
  let product = Int64(acc) * Int64(multiplier)
  let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
  // Swift's division truncates toward zero, as gemmlowp's does.
  let high = Int32(truncatingIfNeeded: (product + nudge) / (1 << 31))
  let mask = Int32(truncatingIfNeeded: (UInt32(1) << UInt32(shift)) &- 1)
  let remainder = high & mask
  let threshold = (mask >> 1) + (high < 0 ? 1 : 0)
  return (high >> Int32(shift)) + (remainder > threshold ? 1 : 0)
}

/// The same function as `requantize`, in the form the optimized kernels
/// use: with m >= 0, gemmlowp's truncating division with its asymmetric
/// nudge is a floor, i.e. an arithmetic shift, and a rounding division by
/// 2^shift with ties away from zero is a shift after adding 2^(shift-1),
/// less one for negatives. No branches, no division; tests check equality
/// with `requantize` on millions of values and every edge.
@inline(__always)
func requantizeByShifts(_ acc: Int32, _ multiplier: Int32, _ shift: UInt8) -> Int32 {
  let high = (Int64(acc) * Int64(multiplier) + (1 << 30)) >> 31
  let half = (Int64(1) << Int64(shift)) >> 1
  let negative: Int64 = high < 0 && shift > 0 ? 1 : 0
  return Int32(truncatingIfNeeded: (high + half - negative) >> Int64(shift))
}

/// `requantize` and the int8 clamp for eight channels at once, for the
/// optimized kernels; lane for lane the same integers (tests compare). It
/// stays in 32-bit lanes after the one widening multiply, where vector
/// units have per-lane shifts: `high` needs only the low 32 bits of the
/// 64-bit sum shifted right by 31 (|high| <= |acc| < 2^31), so a logical
/// shift serves, and the rounding division is gemmlowp's mask-and-
/// threshold form, which cannot overflow.
struct ChannelBlock {
  var bias = SIMD8<Int32>()
  var multiplier = SIMD8<Int32>()
  var shift = SIMD8<Int32>()
  let zeroPoint: SIMD8<Int32>
  let low: SIMD8<Int32>

  /// Parameters of channels first..<first+count (count <= 8); lanes past
  /// count get multiplier 0 and are never stored.
  init(_ p: ChannelParams, _ d: LayerDesc, first: Int, count: Int) {
    for k in 0..<count {
      bias[k] = p.bias(first + k)
      multiplier[k] = p.multiplier.i32(4 * (first + k))
      shift[k] = Int32(p.shift.u8(first + k))
    }
    zeroPoint = SIMD8(repeating: Int32(d.outZeroPoint))
    low = d.relu ? zeroPoint : SIMD8(repeating: -128)
  }

  @inline(__always) func output(_ acc: SIMD8<Int32>) -> SIMD8<Int8> {
    let product = SIMD8<Int64>(truncatingIfNeeded: acc &+ bias) &* SIMD8<Int64>(truncatingIfNeeded: multiplier)
    let high = SIMD8<Int32>(truncatingIfNeeded: SIMD8<UInt64>(truncatingIfNeeded: product &+ (1 << 30)) &>> 31)
    let mask = (SIMD8<Int32>(repeating: 1) &<< shift) &- 1
    let threshold = (mask &>> 1) &- (high &>> 31)  // +1 for negatives
    let up = SIMD8<Int32>().replacing(with: 1, where: (high & mask) .> threshold)
    let scaled = (high &>> shift) &+ up
    // pointwiseMin/Max lower to vector min/max; `clamped` would not inline.
    let shifted = pointwiseMin(pointwiseMax(scaled, SIMD8(repeating: -512)), SIMD8(repeating: 512)) &+ zeroPoint
    return SIMD8<Int8>(truncatingIfNeeded: pointwiseMin(pointwiseMax(shifted, low), SIMD8(repeating: 127)))
  }
}

/// Requantizes an accumulator to the layer's int8 output: scale, add the
/// output zero point, clamp to int8 (to [zero point, 127] with fused ReLU).
@inline(__always)
func clampToInt8(_ scaled: Int32, _ zeroPoint: Int8, relu: Bool) -> Int8 {
  // |scaled| <= |acc|, but adding the zero point could still wrap at the
  // extremes, so clamp to a small range first.
  let shifted = min(max(scaled, -512), 512) + Int32(zeroPoint)
  let low: Int32 = relu ? Int32(zeroPoint) : -128
  return Int8(truncatingIfNeeded: min(max(shifted, low), 127))
}

@inline(__always)
func requantizeToInt8(
  _ acc: Int32, _ multiplier: Int32, _ shift: UInt8, _ zeroPoint: Int8, relu: Bool
) -> Int8 {
  clampToInt8(requantize(acc, multiplier, shift), zeroPoint, relu: relu)
}

/// Per-channel parameters of a conv or dense layer, read in place.
struct ChannelParams {
  let bias: UnsafeRawPointer
  let multiplier: UnsafeRawPointer
  let shift: UnsafeRawPointer

  init(_ base: UnsafeRawPointer, _ d: LayerDesc) {
    bias = base + Int(d.bias)
    multiplier = base + Int(d.multiplier)
    shift = base + Int(d.shift)
  }

  @inline(__always) func bias(_ c: Int) -> Int32 { bias.i32(4 * c) }

  /// The reference kernels' output: gemmlowp's arithmetic, literally.
  @inline(__always) func referenceOutput(_ acc: Int32, _ c: Int, _ d: LayerDesc) -> Int8 {
    requantizeToInt8(acc, multiplier.i32(4 * c), shift.u8(c), d.outZeroPoint, relu: d.relu)
  }

  /// The optimized kernels' output: the same values by shifts.
  @inline(__always) func output(_ acc: Int32, _ c: Int, _ d: LayerDesc) -> Int8 {
    clampToInt8(requantizeByShifts(acc, multiplier.i32(4 * c), shift.u8(c)), d.outZeroPoint, relu: d.relu)
  }
}
