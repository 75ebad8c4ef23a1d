import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

@Suite struct AugmentationTests {
  static let side = 28

  /// A thick, lopsided ring well inside the frame, with soft edges.
  static let blob: [UInt8] = (0..<side * side).map { i in
    let x = Double(i % side) - 12, y = Double(i / side) - 14
    let ring = max(0, 1 - abs((x * x + y * y).squareRoot() - 5) / 2)
    let tail = x > 0 && abs(y - 3) < 1.5 && x < 7 ? 1.0 : 0
    return UInt8(255 * min(1, ring + tail))
  }

  /// Some real test-set digits when the data is there, else the blob.
  static let digits: [[UInt8]] = {
    guard let dir = SharedData.mnist, let set = try? MNIST.test(in: dir) else { return [blob] }
    return (0..<20).map { Array(set.image($0 * 97)) }
  }()

  func run(_ src: [UInt8], _ body: (UnsafePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var out = [Float](repeating: .nan, count: Self.side * Self.side)
    src.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { body(s.baseAddress!, $0.baseAddress!) } }
    return out
  }

  func ink(_ image: [Float]) -> Double { image.reduce(0) { $0 + Double($1) } }

  func centre(_ image: [Float]) -> (x: Double, y: Double) {
    var sx = 0.0, sy = 0.0
    for (i, v) in image.enumerated() {
      sx += Double(v) * Double(i % Self.side)
      sy += Double(v) * Double(i / Self.side)
    }
    return (sx / ink(image), sy / ink(image))
  }

  @Test func identityReproducesPixelOver255Exactly() {
    let every = (0..<Self.side * Self.side).map { UInt8($0 % 256) }
    let expected = every.map { Float($0) / 255 }
    #expect(run(every) { Augmentation.copy($0, $1) } == expected)
    var rng = SplitMix64(seed: 7)
    #expect(run(every) { Augmentation.identity.apply($0, $1, using: &rng) } == expected)
    let explicit = Augmentation(maxRotation: 0, scale: 1...1, maxShift: 0)
    #expect(run(every) { explicit.apply($0, $1, using: &rng) } == expected)
    #expect(run(every) { Augmentation.warp($0, $1, rotation: 0, scale: 1, shiftX: 0, shiftY: 0) } == expected)
  }

  @Test(arguments: [(2, -3), (-1, 0), (0, 4)])
  func integerShiftMovesThePicture(dx: Int, dy: Int) {
    let src = Self.blob
    let before = run(src) { Augmentation.copy($0, $1) }
    let after = run(src) { Augmentation.warp($0, $1, rotation: 0, scale: 1, shiftX: Double(dx), shiftY: Double(dy)) }
    let (c0, c1) = (centre(before), centre(after))
    #expect(abs(c1.x - c0.x - Double(dx)) < 1e-6 && abs(c1.y - c0.y - Double(dy)) < 1e-6, "\(c0) -> \(c1)")
    #expect(abs(ink(after) - ink(before)) < 1e-3)
    // Pixel for pixel, with background moving in.
    for y in 0..<Self.side {
      for x in 0..<Self.side {
        let (sx, sy) = (x - dx, y - dy)
        let inside = (0..<Self.side).contains(sx) && (0..<Self.side).contains(sy)
        #expect(after[y * Self.side + x] == (inside ? before[sy * Self.side + sx] : 0))
      }
    }
  }

  @Test(arguments: [12.0, -12.0, 30.0])
  func rotationKeepsTheInk(degrees: Double) {
    for digit in Self.digits + [Self.blob] {
      let before = ink(run(digit) { Augmentation.copy($0, $1) })
      let after = ink(run(digit) { Augmentation.warp($0, $1, rotation: degrees, scale: 1, shiftX: 0, shiftY: 0) })
      #expect(abs(after / before - 1) < 0.03, "ink \(before) -> \(after)")
    }
  }

  @Test func rotationIsClockwiseOnScreen() {
    // One ink pixel at (20, 10): 6.5 right of and 3.5 above the centre
    // (13.5, 13.5). With rows growing downwards, a quarter turn clockwise
    // takes it to 3.5 right of and 6.5 below the centre: (17, 20).
    var src = [UInt8](repeating: 0, count: Self.side * Self.side)
    src[10 * Self.side + 20] = 255
    let out = run(src) { Augmentation.warp($0, $1, rotation: 90, scale: 1, shiftX: 0, shiftY: 0) }
    #expect(abs(out[20 * Self.side + 17] - 1) < 1e-4)
    #expect(abs(ink(out) - 1) < 1e-4)
  }

  @Test func scaleScalesTheInkByItsSquare() {
    let before = ink(run(Self.blob) { Augmentation.copy($0, $1) })
    for factor in [0.8, 1.2] {
      let after = ink(run(Self.blob) { Augmentation.warp($0, $1, rotation: 0, scale: factor, shiftX: 0, shiftY: 0) })
      #expect(abs(after / before / (factor * factor) - 1) < 0.05, "scale \(factor): \(before) -> \(after)")
    }
  }

  @Test func sameSeedSameOutput() {
    let src = Self.digits[0]
    func series(_ seed: UInt64) -> [[Float]] {
      var rng = SplitMix64(seed: seed)
      return (0..<10).map { _ in run(src) { Augmentation.standard.apply($0, $1, using: &rng) } }
    }
    let first = series(42)
    #expect(first == series(42))
    #expect(first != series(43))
    // Each draw differs from the last: the generator advances.
    #expect(Set(first.map { $0.description }).count == 10)
  }

  @Test func outputStaysInZeroToOne() {
    let wild = Augmentation(maxRotation: 180, scale: 0.5...2, maxShift: 10)
    var rng = SplitMix64(seed: 1)
    for digit in Self.digits + [Self.blob, [UInt8](repeating: 255, count: Self.side * Self.side)] {
      for augmentation in [Augmentation.standard, wild] {
        for _ in 0..<50 {
          let out = run(digit) { augmentation.apply($0, $1, using: &rng) }
          #expect(out.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
      }
    }
  }

  @Test func standardParameters() {
    let standard = Augmentation.standard
    #expect(standard.maxRotation == 12 && standard.scale == 0.9...1.1 && standard.maxShift == 2.5)
    #expect(standard.maxAspect == 1.25 && standard.maxShear == 0.15 && standard.maxStroke == 0.3)
  }

  /// Width and height of the ink's bounding box (pixels above 0.5).
  static func extent(_ image: [Float]) -> (width: Int, height: Int) {
    var minX = side, maxX = -1, minY = side, maxY = -1
    for y in 0..<side {
      for x in 0..<side where image[y * side + x] > 0.5 {
        minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
      }
    }
    return (maxX - minX + 1, maxY - minY + 1)
  }

  @Test func aspectStretchesWidthAndSquashesHeight() {
    // A 10x10 square becomes 15 wide and about 6.7 tall at aspect 1.5.
    var square = [UInt8](repeating: 0, count: Self.side * Self.side)
    for y in 9..<19 { for x in 9..<19 { square[y * Self.side + x] = 255 } }
    let out = run(square) { Augmentation.warp($0, $1, rotation: 0, scale: 1, shiftX: 0, shiftY: 0, aspect: 1.5) }
    let e = Self.extent(out)
    #expect((14...16).contains(e.width) && (6...8).contains(e.height), "\(e)")
  }

  @Test func shearMovesRowsSideways() {
    // A vertical bar through the centre leans: with shear 0.5 its top row
    // moves left and its bottom row right, by half their distance from the centre.
    var bar = [UInt8](repeating: 0, count: Self.side * Self.side)
    for y in 4..<24 { bar[y * Self.side + 13] = 255; bar[y * Self.side + 14] = 255 }
    let out = run(bar) { Augmentation.warp($0, $1, rotation: 0, scale: 1, shiftX: 0, shiftY: 0, shear: 0.5) }
    func centreX(_ y: Int) -> Double {
      var s = 0.0, m = 0.0
      for x in 0..<Self.side { s += Double(out[y * Self.side + x]) * Double(x); m += Double(out[y * Self.side + x]) }
      return s / m
    }
    #expect(abs(centreX(5) - (13.5 - 0.5 * (13.5 - 5))) < 0.6)
    #expect(abs(centreX(22) - (13.5 + 0.5 * (22 - 13.5))) < 0.6)
  }

  @Test func strokeMorphologyWidensAndThins() {
    // A 3-pixel-wide bar: a full dilation makes it 5 wide, a full erosion 1.
    var bar = [Float](repeating: 0, count: Self.side * Self.side)
    for y in 4..<24 { for x in 12..<15 { bar[y * Self.side + x] = 1 } }
    var wide = bar, thin = bar, half = bar
    wide.withUnsafeMutableBufferPointer { Augmentation.morph($0.baseAddress!, weight: 1) }
    thin.withUnsafeMutableBufferPointer { Augmentation.morph($0.baseAddress!, weight: -1) }
    half.withUnsafeMutableBufferPointer { Augmentation.morph($0.baseAddress!, weight: 0.5) }
    let row = 14 * Self.side
    #expect((0..<Self.side).filter { wide[row + $0] == 1 } == Array(11..<16))
    #expect((0..<Self.side).filter { thin[row + $0] == 1 } == [13])
    #expect(half[row + 11] == 0.5 && half[row + 12] == 1 && half[row + 10] == 0)
  }


  /// Models trained before aspect, shear and stroke existed must stay
  /// reproducible: with aspect 1 and shear 0 the warp must equal the
  /// rotation-and-scale warp of that version (kept below) bit for bit.
  @Test func neutralAspectAndShearReproduceTheLegacyWarpExactly() {
    var rng = SplitMix64(seed: 11)
    for digit in Self.digits {
      for _ in 0..<200 {
        let r = Double(rng.next() % 2400) / 100 - 12, sc = 0.9 + Double(rng.next() % 2000) / 10000
        let dx = Double(rng.next() % 500) / 100 - 2.5, dy = Double(rng.next() % 500) / 100 - 2.5
        let now = run(digit) { Augmentation.warp($0, $1, rotation: r, scale: sc, shiftX: dx, shiftY: dy) }
        let then = run(digit) { Self.legacyWarp($0, $1, rotation: r, scale: sc, shiftX: dx, shiftY: dy) }
        #expect(now == then)
        if now != then { return }
      }
    }
  }

  /// The warp of version 1 (rotation, scale and shift only), verbatim.
    static func legacyWarp(
      _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>,
      rotation: Double, scale: Double, shiftX: Double, shiftY: Double
    ) {
      // Destination q comes from source p = R(-θ)(q - c - t)/s + c; walking
      // q and sampling p leaves no holes, unlike pushing source pixels.
      let theta = rotation * .pi / 180
      let cosine = cos(theta) / scale
      let sine = sin(theta) / scale
      let centre = Double(Self.side - 1) / 2
      let ox = centre + shiftX
      let oy = centre + shiftY
      // +1: coordinates in the padded copy below.
      let xx = Float(cosine), xy = Float(sine), x0 = Float(centre - cosine * ox - sine * oy + 1)
      let yx = Float(-sine), yy = Float(cosine), y0 = Float(centre + sine * ox - cosine * oy + 1)

      // A one-pixel zero border makes every bilinear tap in range, so the
      // inner loop needs one bounds test instead of four.
      let padded = Self.side + 2
      withUnsafeTemporaryAllocation(of: Float.self, capacity: padded * padded) { buffer in
        let pad = buffer.baseAddress!
        pad.update(repeating: 0, count: padded * padded)
        for y in 0..<Self.side {
          for x in 0..<Self.side {
            pad[(y + 1) * padded + x + 1] = Float(src[y * Self.side + x]) / 255
          }
        }
        let limit = Float(Self.side + 1)
        for y in 0..<Self.side {
          let fy = Float(y)
          let rowX = xy * fy + x0
          let rowY = yy * fy + y0
          for x in 0..<Self.side {
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
            dst[y * Self.side + x] = value
          }
        }
      }
    }
  /// Prints the cost per image; asserts nothing about time (shared machines).
  @Test func cost() {
    let src = Self.digits[0]
    var out = [Float](repeating: 0, count: Self.side * Self.side)
    var rng = SplitMix64(seed: 3)
    let n = 20000
    let start = Date()
    src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { d in
        for _ in 0..<n { Augmentation.standard.apply(s.baseAddress!, d.baseAddress!, using: &rng) }
      }
    }
    let micros = Date().timeIntervalSince(start) * 1e6 / Double(n)
    print("Augmentation.apply: \(String(format: "%.2f", micros)) µs per image in this build")
    #expect(out.allSatisfy { $0.isFinite })
  }
}
