import DigitInferSupport
import Foundation

/// Random distortion of 28x28 digits for training: rotation (degrees),
/// scale, aspect ratio, shear and shift (pixels) about the image centre with
/// bilinear sampling, then a partial dilation or erosion of the strokes;
/// floats in 0...1 (pixel/255) out. Deterministic given the generator
/// state: each call draws, in order, rotation, scale, x shift, y shift,
/// aspect, shear and stroke, one 64-bit value each.
///
/// Aspect, shear and stroke stand for what real digits do and MNIST rarely
/// shows: sets normalised by stretching to fill a square (Semeion), slanted
/// handwriting, and pens thinner or broader than MNIST's.
///
/// The hot functions are `@inlinable` and always inlined so that they are
/// compiled with the caller's optimization (the training module is built
/// with -O even in debug builds; this one is not).
public struct Augmentation: Sendable {
  public var maxRotation: Double
  public var scale: ClosedRange<Double>
  public var maxShift: Double
  /// Width is multiplied by a factor between 1/maxAspect and maxAspect
  /// (log-uniform), height divided by it.
  public var maxAspect: Double
  /// x moves by up to ±maxShear times the distance from the centre row.
  public var maxShear: Double
  /// Weight of a 3x3 grey-level dilation (positive) or erosion (negative),
  /// uniform in ±maxStroke; 1 widens every stroke by about two pixels.
  public var maxStroke: Double

  /// Distortions that keep every MNIST digit recognisable: ±12°, ±10% size,
  /// ±2.5 pixels in each direction, aspect ratio up to 1.25x either way,
  /// shear ±0.15, strokes up to 0.3 of a dilation thinner or broader.
  public static let standard = Augmentation(
    maxRotation: 12, scale: 0.9...1.1, maxShift: 2.5, maxAspect: 1.25, maxShear: 0.15, maxStroke: 0.3)

  /// No distortion: `apply` then equals `copy`.
  public static let identity = Augmentation(maxRotation: 0, scale: 1...1, maxShift: 0)

  public static let side = 28
  public static let pixelCount = side * side

  public init(
    maxRotation: Double, scale: ClosedRange<Double>, maxShift: Double,
    maxAspect: Double = 1, maxShear: Double = 0, maxStroke: Double = 0
  ) {
    precondition(maxRotation >= 0 && maxShift >= 0, "maximum rotation and shift must not be negative")
    precondition(scale.lowerBound > 0, "scale must be positive")
    precondition(maxAspect >= 1, "maximum aspect factor must be at least 1")
    precondition(maxShear >= 0 && maxStroke >= 0 && maxStroke <= 1, "shear must not be negative; stroke in 0...1")
    self.maxRotation = maxRotation
    self.scale = scale
    self.maxShift = maxShift
    self.maxAspect = maxAspect
    self.maxShear = maxShear
    self.maxStroke = maxStroke
  }

  /// src: 28*28 bytes; dst: 28*28 floats.
  @inlinable @inline(__always)
  public func apply(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>, using rng: inout SplitMix64) {
    let rotation = maxRotation * (2 * Self.unit(&rng) - 1)
    let factor = scale.lowerBound + (scale.upperBound - scale.lowerBound) * Self.unit(&rng)
    let shiftX = maxShift * (2 * Self.unit(&rng) - 1)
    let shiftY = maxShift * (2 * Self.unit(&rng) - 1)
    let aspect = exp(log(maxAspect) * (2 * Self.unit(&rng) - 1))
    let shear = maxShear * (2 * Self.unit(&rng) - 1)
    let stroke = maxStroke * (2 * Self.unit(&rng) - 1)
    Self.warp(
      src, dst, rotation: rotation, scale: factor, shiftX: shiftX, shiftY: shiftY, aspect: aspect, shear: shear)
    if stroke != 0 { Self.morph(dst, weight: Float(stroke)) }
  }

  /// Partial 3x3 grey-level dilation (weight > 0) or erosion (weight < 0):
  /// each pixel moves towards the maximum (or minimum) of its neighbourhood
  /// by |weight|. Pixels are in 0...1, so a border of 0 (or 1) is neutral
  /// and the 3x3 extremum splits into a horizontal and a vertical pass.
  @inlinable @inline(__always)
  public static func morph(_ image: UnsafeMutablePointer<Float>, weight: Float) {
    let padded = side + 2
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * padded * padded) { buffer in
      let pad = buffer.baseAddress!, rows = pad + padded * padded
      let dilate = weight > 0
      pad.update(repeating: dilate ? 0 : 1, count: 2 * padded * padded)
      for y in 0..<side {
        for x in 0..<side { pad[(y + 1) * padded + x + 1] = image[y * side + x] }
      }
      @inline(__always) func pick(_ a: Float, _ b: Float) -> Float { dilate ? Swift.max(a, b) : Swift.min(a, b) }
      for y in 0..<padded {
        for x in 1...side {
          let i = y * padded + x
          rows[i] = pick(pick(pad[i - 1], pad[i]), pad[i + 1])
        }
      }
      let w = abs(weight)
      for y in 0..<side {
        for x in 0..<side {
          let i = (y + 1) * padded + x + 1
          let m = pick(pick(rows[i - padded], rows[i]), rows[i + padded])
          let v = image[y * side + x]
          image[y * side + x] = v + w * (m - v)
        }
      }
    }
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
    rotation: Double, scale: Double, shiftX: Double, shiftY: Double, aspect: Double = 1, shear: Double = 0
  ) {
    // The forward map is q = c + t + R(θ) Sh(shear) S(scale*aspect, scale/aspect) (p - c).
    // Destination q comes from source p = A⁻¹(q - c - t) + c; walking q and
    // sampling p leaves no holes, unlike pushing source pixels. The inverse
    // is written out, S⁻¹ Sh⁻¹ R(-θ), rather than computed from A: with
    // aspect 1 and shear 0 it is then exactly the rotation-and-scale map of
    // earlier versions, bit for bit, so their models stay reproducible.
    let theta = rotation * .pi / 180
    let c = cos(theta), s = sin(theta)
    let sx = scale * aspect, sy = scale / aspect
    let i11 = (c + shear * s) / sx, i12 = (s - shear * c) / sx
    let i21 = -s / sy, i22 = c / sy
    let centre = Double(side - 1) / 2
    let ox = centre + shiftX
    let oy = centre + shiftY
    // +1: coordinates in the padded copy below.
    let xx = Float(i11), xy = Float(i12), x0 = Float(centre - i11 * ox - i12 * oy + 1)
    let yx = Float(i21), yy = Float(i22), y0 = Float(centre - i21 * ox - i22 * oy + 1)

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
  public static func unit(_ rng: inout SplitMix64) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
  }
}
