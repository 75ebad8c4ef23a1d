import Foundation

/// Turns a real rescaling factor into the integer pair the runtime uses.
public enum Requantization {
  /// Splits `scale` (0 <= scale < 1) into a multiplier in [2^30, 2^31) and
  /// a right shift so that scale ~= multiplier / 2^31 / 2^shift, as
  /// TensorFlow Lite's QuantizeMultiplier does. Scales too small to
  /// represent become (0, 0); scales >= 1 are rejected (the runtime only
  /// shifts right, which int8 models of this size never need to exceed).
  public static func multiplier(for scale: Double) throws(FormatError) -> (multiplier: Int32, shift: UInt8) {
    guard scale.isFinite, scale >= 0 else { throw FormatError("requantization scale \(scale) is not a non-negative number") }
    guard scale < 1 else { throw FormatError("requantization scale \(scale) >= 1 is not supported") }
    if scale == 0 { return (0, 0) }
    let (fraction, exponent) = (scale.significand / 2, scale.exponent + 1)  // scale = fraction * 2^exponent, fraction in [0.5, 1)
    var q = Int64((fraction * Double(1 << 31)).rounded())
    var e = Int(exponent)
    if q == 1 << 31 {
      q /= 2
      e += 1
    }
    let shift = -e
    if shift > 31 { return (0, 0) }
    return (Int32(q), UInt8(shift))
  }
}
