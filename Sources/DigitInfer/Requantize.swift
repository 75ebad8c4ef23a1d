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

/// Requantizes an accumulator to the layer's int8 output: scale, add the
/// output zero point, clamp to int8 (to [zero point, 127] with fused ReLU).
@inline(__always)
func requantizeToInt8(
  _ acc: Int32, _ multiplier: Int32, _ shift: UInt8, _ zeroPoint: Int8, relu: Bool
) -> Int8 {
  // |requantize(acc)| <= |acc|, but adding the zero point could still wrap
  // at the extremes, so clamp to a small range first.
  let scaled = min(max(requantize(acc, multiplier, shift), -512), 512) + Int32(zeroPoint)
  let low: Int32 = relu ? Int32(zeroPoint) : -128
  return Int8(truncatingIfNeeded: min(max(scaled, low), 127))
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

  @inline(__always) func output(_ acc: Int32, _ c: Int, _ d: LayerDesc) -> Int8 {
    requantizeToInt8(acc, multiplier.i32(4 * c), shift.u8(c), d.outZeroPoint, relu: d.relu)
  }
}
