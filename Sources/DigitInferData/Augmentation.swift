import DigitInferFormat
import Foundation

/// Random affine distortion of 28x28 digits for training: rotation
/// (degrees), scale and shift (pixels) about the image centre, bilinear
/// sampling, floats in 0...1 (pixel/255) out. Deterministic given the
/// generator state: each call draws, in order, rotation, scale, x shift and
/// y shift, one 64-bit value each.
///
/// The hot functions are `@inlinable` and always inlined so that they are
/// compiled with the caller's optimization (the training module is built
/// with -O even in debug builds; this one is not).
public struct Augmentation: Sendable {
  public var maxRotation: Double
  public var scale: ClosedRange<Double>
  public var maxShift: Double

  /// Mild distortions that keep every MNIST digit recognisable: ±12°, ±10%
  /// size, ±2.5 pixels in each direction.
  public static let standard = Augmentation(maxRotation: 12, scale: 0.9...1.1, maxShift: 2.5)

  /// No distortion: `apply` then equals `copy`.
  public static let identity = Augmentation(maxRotation: 0, scale: 1...1, maxShift: 0)

  public static let side = 28
  public static let pixelCount = side * side

  public init(maxRotation: Double, scale: ClosedRange<Double>, maxShift: Double) {
    precondition(maxRotation >= 0 && maxShift >= 0, "maximum rotation and shift must not be negative")
    precondition(scale.lowerBound > 0, "scale must be positive")
    self.maxRotation = maxRotation
    self.scale = scale
    self.maxShift = maxShift
  }

  /// src: 28*28 bytes; dst: 28*28 floats.
  @inlinable @inline(__always)
  public func apply(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>, using rng: inout SplitMix64) {
    let rotation = maxRotation * (2 * Self.unit(&rng) - 1)
    let factor = scale.lowerBound + (scale.upperBound - scale.lowerBound) * Self.unit(&rng)
    let shiftX = maxShift * (2 * Self.unit(&rng) - 1)
    let shiftY = maxShift * (2 * Self.unit(&rng) - 1)
    Self.warp(src, dst, rotation: rotation, scale: factor, shiftX: shiftX, shiftY: shiftY)
  }

  /// The identity transform (pixel / 255), for evaluation.
  @inlinable @inline(__always)
  public static func copy(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>) {
    for i in 0..<pixelCount { dst[i] = Float(src[i]) / 255 }
  }

  /// One fixed transform: the digit is scaled by `scale` and turned by
  /// `rotation` degrees (clockwise on screen, as rows grow downwards) about
  /// the centre, then moved `shiftX` pixels right and `shiftY` down.
  /// Outside the source image is background.
  @inlinable @inline(__always)
  public static func warp(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>,
    rotation: Double, scale: Double, shiftX: Double, shiftY: Double
  ) {
    // Destination q comes from source p = R(-θ)(q - c - t)/s + c; walking
    // q and sampling p leaves no holes, unlike pushing source pixels.
    let theta = rotation * .pi / 180
    let cosine = cos(theta) / scale
    let sine = sin(theta) / scale
    let centre = Double(side - 1) / 2
    let ox = centre + shiftX
    let oy = centre + shiftY
    // +1: coordinates in the padded copy below.
    let xx = Float(cosine), xy = Float(sine), x0 = Float(centre - cosine * ox - sine * oy + 1)
    let yx = Float(-sine), yy = Float(cosine), y0 = Float(centre + sine * ox - cosine * oy + 1)

    // A one-pixel zero border makes every bilinear tap in range, so the
    // inner loop needs one bounds test instead of four.
    let padded = side + 2
    withUnsafeTemporaryAllocation(of: Float.self, capacity: padded * padded) { buffer in
      let pad = buffer.baseAddress!
      pad.update(repeating: 0, count: padded * padded)
      for y in 0..<side {
        for x in 0..<side {
          pad[(y + 1) * padded + x + 1] = Float(src[y * side + x]) / 255
        }
      }
      let limit = Float(side + 1)
      for y in 0..<side {
        let fy = Float(y)
        let rowX = xy * fy + x0
        let rowY = yy * fy + y0
        for x in 0..<side {
          let fx = Float(x)
          let px = xx * fx + rowX
          let py = yx * fx + rowY
          var value: Float = 0
          if px >= 0 && px < limit && py >= 0 && py < limit {
            // Truncation is floor here (non-negative), and needs no SSE4.1.
            let ix = Int(px)
            let iy = Int(py)
            let tx = px - Float(ix)
            let ty = py - Float(iy)
            let i = iy &* padded &+ ix
            let p00 = pad[i], p01 = pad[i &+ 1]
            let p10 = pad[i &+ padded], p11 = pad[i &+ padded &+ 1]
            let top = p00 + tx * (p01 - p00)
            let bottom = p10 + tx * (p11 - p10)
            // Rounding could overshoot 1 by an ulp.
            value = min(top + ty * (bottom - top), 1)
          }
          dst[y * side + x] = value
        }
      }
    }
  }

  /// Uniform in [0, 1), from the top 53 bits: fixed here rather than left
  /// to the standard library, so that a seed means the same across versions.
  @inlinable @inline(__always)
  static func unit(_ rng: inout SplitMix64) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
  }
}
