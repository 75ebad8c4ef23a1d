import DigitInferFormat
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
