import CDigitInfer
import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInfer

/// A grayscale picture to draw test digits on: luminance, 0 = black.
struct Picture {
  let width: Int, height: Int
  var pixels: [UInt8]

  init(width: Int, height: Int, paper: UInt8) {
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: paper, count: width * height)
  }

  /// A round pen along a polyline (`PenStroke`), mixed into the paper one
  /// segment at a time.
  mutating func stroke(_ points: [(Double, Double)], pen: Double, ink: UInt8) {
    let width = width
    PenStroke.cover(
      points.map { SIMD2($0.0, $0.1) }, radius: { _ in pen / 2 }, columns: 0...(width - 1), rows: 0...(height - 1)
    ) { x, y, coverage in
      guard coverage > 0 else { return }
      let old = Double(pixels[y * width + x])
      let mixed = old + coverage * (Double(ink) - old)
      // Overlapping segments must not lighten what an earlier one inked.
      let keep = abs(Double(ink) - old) < abs(Double(ink) - mixed) ? old : mixed
      pixels[y * width + x] = UInt8(keep.rounded())
    }
  }

  /// A digit shape in the box (x, y, w, h), pen width relative to h.
  mutating func digit(_ d: Int, x: Double, y: Double, w: Double, h: Double, pen: Double, ink: UInt8) {
    for path in Picture.shapes[d]! {
      stroke(path.map { (x + $0.0 * w, y + $0.1 * h) }, pen: pen * h, ink: ink)
    }
  }

  /// Unit-box polylines of the ten digits, written the way MNIST writers do.
  static let shapes: [Int: [[(Double, Double)]]] = [
    1: [[(0.55, 0.0), (0.5, 1.0)]],
    4: [[(0.6, 0.0), (0.05, 0.65), (1.0, 0.65)], [(0.72, 0.25), (0.72, 1.0)]],
    7: [[(0.0, 0.05), (1.0, 0.05), (0.35, 1.0)]],
    0: [ellipse(0.5, 0.5, 0.5, 0.5)],
    2: [[(0.1, 0.22), (0.3, 0.02), (0.68, 0.02), (0.86, 0.22), (0.78, 0.48), (0.08, 1.0), (0.95, 0.97)]],
    3: [[(0.1, 0.12), (0.42, 0.0), (0.8, 0.1), (0.82, 0.3), (0.42, 0.47), (0.86, 0.62), (0.88, 0.86),
         (0.5, 1.0), (0.08, 0.88)]],
    5: [[(0.88, 0.0), (0.22, 0.02)], [(0.22, 0.02), (0.16, 0.46), (0.5, 0.38), (0.86, 0.55), (0.86, 0.84),
         (0.5, 1.0), (0.08, 0.9)]],
    6: [[(0.76, 0.0), (0.36, 0.22), (0.12, 0.62), (0.2, 0.92), (0.52, 1.0), (0.84, 0.84), (0.8, 0.56),
         (0.46, 0.48), (0.16, 0.66)]],
    8: [ellipse(0.5, 0.25, 0.3, 0.25), ellipse(0.5, 0.73, 0.38, 0.27)],
    9: [ellipse(0.46, 0.28, 0.36, 0.28), [(0.82, 0.28), (0.74, 1.0)]],
  ]

  /// A closed ellipse as a 24-segment polyline.
  static func ellipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) -> [(Double, Double)] {
    (0...24).map { i in
      let a = Double(i) / 24 * 2 * Double.pi
      return (cx + rx * cos(a), cy + ry * sin(a))
    }
  }
}

/// Runs dgi_preprocess; returns the status, the 784 pixels and the info.
func preprocessed(
  _ p: Picture, flags: UInt32 = DGI_INK_AUTO, stride: Int? = nil
) -> (dgi_status, [UInt8], dgi_preprocess_info) {
  var out = [UInt8](repeating: 0xAB, count: 784)
  var info = dgi_preprocess_info()
  var scratch = [UInt8](repeating: 0xCD, count: dgi_preprocess_scratch_size(UInt32(p.width), UInt32(p.height)))
  let status: dgi_status
  if let stride {
    // The same picture inside a wider buffer whose padding is black noise.
    var padded = [UInt8](repeating: 7, count: stride * p.height)
    for y in 0..<p.height {
      for x in 0..<p.width { padded[y * stride + x] = p.pixels[y * p.width + x] }
    }
    status = dgi_preprocess(
      padded, UInt32(p.width), UInt32(p.height), stride, flags, &scratch, scratch.count, &out, &info)
  } else {
    status = dgi_preprocess(
      p.pixels, UInt32(p.width), UInt32(p.height), p.width, flags, &scratch, scratch.count, &out, &info)
  }
  return (status, out, info)
}

/// Centre of mass in pixel-index coordinates.
func centreOfMass(_ image: [UInt8]) -> (Double, Double) {
  var s = 0.0, sx = 0.0, sy = 0.0
  for y in 0..<28 {
    for x in 0..<28 {
      let v = Double(image[y * 28 + x])
      s += v; sx += v * Double(x); sy += v * Double(y)
    }
  }
  return (sx / s, sy / s)
}

/// Bounding box (width, height) of pixels above `level`.
func inkExtent(_ image: [UInt8], above level: UInt8 = 64) -> (Int, Int) {
  var minX = 28, maxX = -1, minY = 28, maxY = -1
  for y in 0..<28 {
    for x in 0..<28 where image[y * 28 + x] > level {
      minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
    }
  }
  return (maxX - minX + 1, maxY - minY + 1)
}

func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
  Double(zip(a, b).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / 784
}

let shippedModel = try! Model(
  [UInt8](try! Data(contentsOf: testsDirectory.appending(path: "../../models/mnist-int8.dgi"))))

@Suite struct PreprocessTests {
  /// A dark-on-light seven, 60 px tall, in a 200x160 frame.
  static func seven(paper: UInt8 = 235, ink: UInt8 = 30, pen: Double = 0.12) -> Picture {
    var p = Picture(width: 200, height: 160, paper: paper)
    p.digit(7, x: 70, y: 50, w: 45, h: 60, pen: pen, ink: ink)
    return p
  }

  @Test func scratchSizeIsBoundedAndRejectsBadSizes() {
    #expect(dgi_preprocess_scratch_size(0, 10) == 0)
    #expect(dgi_preprocess_scratch_size(10, 0) == 0)
    #expect(dgi_preprocess_scratch_size(DGI_PREPROCESS_MAX_SIDE + 1, 1) == 0)
    let small = dgi_preprocess_scratch_size(28, 28)
    #expect(small > 0 && small <= 15 * 1024)
    // Reduced to at most 128 per side: the largest image needs no more than 128x128.
    let largest = dgi_preprocess_scratch_size(DGI_PREPROCESS_MAX_SIDE, DGI_PREPROCESS_MAX_SIDE)
    #expect(largest == dgi_preprocess_scratch_size(128, 128))
    #expect(largest <= 145 * 1024)
    #expect(dgi_preprocess_scratch_size(4000, 3000) <= largest)
  }

  @Test func rejectsBadArgumentsWithoutWriting() {
    let p = Self.seven()
    var out = [UInt8](repeating: 0xAB, count: 784)
    var scratch = [UInt8](repeating: 0, count: dgi_preprocess_scratch_size(200, 160))
    let n = scratch.count
    #expect(dgi_preprocess(nil, 200, 160, 200, 0, &scratch, n, &out, nil) == DGI_ERROR_ARGUMENT)
    #expect(dgi_preprocess(p.pixels, 200, 160, 200, 0, &scratch, n, nil, nil) == DGI_ERROR_ARGUMENT)
    #expect(dgi_preprocess(p.pixels, 0, 160, 200, 0, &scratch, n, &out, nil) == DGI_ERROR_IMAGE)
    #expect(dgi_preprocess(p.pixels, 200, 0, 200, 0, &scratch, n, &out, nil) == DGI_ERROR_IMAGE)
    #expect(dgi_preprocess(p.pixels, 200, 160, 199, 0, &scratch, n, &out, nil) == DGI_ERROR_IMAGE)
    #expect(dgi_preprocess(p.pixels, 200, 160, 200, 3, &scratch, n, &out, nil) == DGI_ERROR_IMAGE)
    #expect(dgi_preprocess(p.pixels, 200, 160, Int.max, 0, &scratch, n, &out, nil) == DGI_ERROR_IMAGE)
    #expect(dgi_preprocess(p.pixels, 200, 160, 200, 0, nil, n, &out, nil) == DGI_ERROR_SCRATCH)
    #expect(dgi_preprocess(p.pixels, 200, 160, 200, 0, &scratch, n - 1, &out, nil) == DGI_ERROR_SCRATCH)
    #expect(out.allSatisfy { $0 == 0xAB })
    #expect(String(cString: dgi_status_message(DGI_ERROR_NO_INK)).contains("no digit"))
  }

  @Test(arguments: [0, 255, 128, 37])
  func uniformImagesHaveNoInk(level: UInt8) {
    let (status, out, _) = preprocessed(Picture(width: 64, height: 48, paper: level))
    #expect(status == DGI_ERROR_NO_INK)
    #expect(out.allSatisfy { $0 == 0xAB })
  }

  @Test func faintNoiseIsNotADigit() {
    var p = Picture(width: 100, height: 100, paper: 200)
    var rng = SplitMix64(seed: 5)
    for i in p.pixels.indices { p.pixels[i] = 200 &+ UInt8(rng.next() % 9) &- 4 }
    #expect(preprocessed(p).0 == DGI_ERROR_NO_INK)
  }

  @Test func polarityIsDetectedAndBothGiveTheSameInput() throws {
    let dark = preprocessed(Self.seven(paper: 220, ink: 40))
    let light = preprocessed(Self.seven(paper: 20, ink: 200))
    #expect(dark.0 == DGI_OK && light.0 == DGI_OK)
    #expect(dark.2.ink == DGI_INK_DARK && light.2.ink == DGI_INK_LIGHT)
    #expect(meanAbsoluteDifference(dark.1, light.1) < 2)
    #expect(try shippedModel.classify(dark.1).digit == 7)
    #expect(try shippedModel.classify(light.1).digit == 7)
  }

  @Test func forcedPolarityIsObeyed() {
    let p = Self.seven()
    let auto = preprocessed(p)
    let forced = preprocessed(p, flags: DGI_INK_DARK)
    #expect(forced.1 == auto.1 && forced.2.ink == DGI_INK_DARK)
    // Forced the wrong way round, the paper is taken for ink: nothing like the seven.
    let wrong = preprocessed(p, flags: DGI_INK_LIGHT)
    #expect(wrong.2.ink == DGI_INK_LIGHT || wrong.0 != DGI_OK)
    #expect(wrong.1 != auto.1)
  }

  @Test func greyPaperBecomesBlackBackground() {
    let (status, out, info) = preprocessed(Self.seven(paper: 170, ink: 70))
    #expect(status == DGI_OK)
    #expect((165...175).contains(info.paper))
    #expect(out.max() == 255)
    // A seven covers well under half of the frame; the rest is exactly paper.
    #expect(out.filter { $0 == 0 }.count > 500)
  }

  @Test func centreOfMassIsAtTheCentre() {
    for (d, x, y, w, h) in [(7, 10.0, 10.0, 40.0, 60.0), (4, 120.0, 80.0, 50.0, 70.0), (0, 60.0, 5.0, 30.0, 40.0), (1, 150.0, 60.0, 10.0, 90.0)] {
      var p = Picture(width: 200, height: 160, paper: 250)
      p.digit(d, x: x, y: y, w: w, h: h, pen: 0.12, ink: 0)
      let (status, out, _) = preprocessed(p)
      #expect(status == DGI_OK)
      let (cx, cy) = centreOfMass(out)
      #expect(abs(cx - 14) <= 0.5 && abs(cy - 14) <= 0.5, "digit \(d): centre \(cx), \(cy)")
    }
  }

  @Test func aspectRatioIsKeptInTheTwentyPixelBox() {
    // An ellipse twice as tall as wide: 20 high, about 10 wide.
    var tall = Picture(width: 300, height: 300, paper: 255)
    tall.digit(0, x: 100, y: 50, w: 100, h: 200, pen: 0.08, ink: 0)
    let t = inkExtent(preprocessed(tall).1)
    #expect((19...22).contains(t.1) && (9...13).contains(t.0), "\(t)")
    // Lying down: 20 wide, about 10 high.
    var wide = Picture(width: 300, height: 300, paper: 255)
    wide.digit(0, x: 50, y: 100, w: 200, h: 100, pen: 0.16, ink: 0)
    let w = inkExtent(preprocessed(wide).1)
    #expect((19...22).contains(w.0) && (9...13).contains(w.1), "\(w)")
  }

  @Test func translatedOrScaledInABigFrameGivesTheSameInput() throws {
    let reference = preprocessed(Self.seven())
    #expect(try shippedModel.classify(reference.1).digit == 7)
    for (x, y, h) in [(10.0, 10.0, 60.0), (900.0, 600.0, 60.0), (300.0, 100.0, 400.0), (40.0, 700.0, 30.0)] {
      var p = Picture(width: 1024, height: 768, paper: 235)
      p.digit(7, x: x, y: y, w: h * 0.75, h: h, pen: 0.12, ink: 30)
      let (status, out, info) = preprocessed(p)
      #expect(status == DGI_OK)
      #expect(abs(Double(info.x) - x) < h * 0.1 && abs(Double(info.y) - y) < h * 0.1)
      #expect(try shippedModel.classify(out).digit == 7, "seven at \(x),\(y) size \(h)")
      #expect(meanAbsoluteDifference(out, reference.1) < 12, "seven at \(x),\(y) size \(h)")
    }
  }

  @Test func specksAndFrameLinesAreDropped() {
    let clean = preprocessed(Self.seven())
    var p = Self.seven()
    // Dirt: small dots away from the digit, and a dark frame along the border.
    for (x, y) in [(20.0, 20.0), (180.0, 30.0), (30.0, 140.0), (170.0, 130.0), (100.0, 20.0)] {
      p.stroke([(x, y), (x + 1, y + 1)], pen: 3, ink: 30)
    }
    p.stroke([(2, 2), (197, 2), (197, 157), (2, 157), (2, 2)], pen: 4, ink: 20)
    let (status, out, info) = preprocessed(p)
    #expect(status == DGI_OK)
    #expect(info.dropped >= 6)
    #expect(meanAbsoluteDifference(out, clean.1) < 1, "\(info)")
  }

  @Test func unevenLightingIsSubtracted() throws {
    let clean = preprocessed(Self.seven())
    // Paper from 110 on the left to 240 on the right, ink 100 levels below it.
    var p = Picture(width: 200, height: 160, paper: 0)
    for y in 0..<160 { for x in 0..<200 { p.pixels[y * 200 + x] = UInt8(110 + 130 * x / 199) } }
    var ink = Self.seven(paper: 255, ink: 0)
    for i in p.pixels.indices {
      let coverage = Double(255 - ink.pixels[i]) / 255
      ink.pixels[i] = UInt8(Double(p.pixels[i]) - 100 * coverage)
    }
    let (status, out, _) = preprocessed(ink)
    #expect(status == DGI_OK)
    #expect(try shippedModel.classify(out).digit == 7)
    #expect(meanAbsoluteDifference(out, clean.1) < 6)
  }

  @Test func thinPenStrokesComeOutLikeMNIST() throws {
    // A 1.5 px pen on a 150 px digit is 0.2 px after fitting into 20x20.
    var p = Picture(width: 300, height: 300, paper: 250)
    p.digit(7, x: 80, y: 70, w: 110, h: 150, pen: 0.01, ink: 20)
    let (status, out, _) = preprocessed(p)
    #expect(status == DGI_OK)
    // MNIST's ink mass is 52 to 164 full pixels (5th to 95th percentile).
    let mass = Double(out.map { Int($0) }.reduce(0, +)) / 255
    #expect(mass > 45 && mass < 170, "mass \(mass)")
    #expect(out.max() == 255)
    #expect(try shippedModel.classify(out).digit == 7)
  }

  @Test func strideIsHonoured() {
    let p = Self.seven()
    #expect(preprocessed(p, stride: 213).1 == preprocessed(p).1)
  }

  @Test func theImageIsOnlyRead() {
    let p = Self.seven()
    let copy = p.pixels
    _ = preprocessed(p)
    #expect(p.pixels == copy)
  }

  @Test func tinyAndDegenerateImages() {
    // One pixel, a single row, a single column: no crash, a status.
    for (w, h) in [(1, 1), (50, 1), (1, 50), (2, 2)] {
      var p = Picture(width: w, height: h, paper: 255)
      p.pixels[0] = 0
      let (status, out, _) = preprocessed(p)
      #expect(status == DGI_OK || status == DGI_ERROR_NO_INK)
      if status == DGI_OK { #expect(centreOfMass(out).0 > 13 && centreOfMass(out).0 < 15) }
    }
  }

  /// MNIST's own frames go through nearly unchanged: already centred, 20x20,
  /// white on black. The runtime's golden images stand in for MNIST here.
  @Test func mnistStyleInputIsAFixedPointUpToStrokeNormalisation() throws {
    var p = Picture(width: 28, height: 28, paper: 0)
    p.digit(7, x: 8, y: 4, w: 13, h: 20, pen: 0.13, ink: 255)
    let (status, out, info) = preprocessed(p)
    #expect(status == DGI_OK && info.ink == DGI_INK_LIGHT)
    #expect(inkExtent(out).1 >= 19 && inkExtent(out).1 <= 22)
    #expect(try shippedModel.classify(out).digit == 7)
  }
}
