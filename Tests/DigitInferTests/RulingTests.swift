import CDigitInfer
import DigitInferFormat
import DigitInferSupport
import Testing

@testable import DigitInfer

/// Paper with lines on it, for the test rasterizer of PreprocessTests.
extension Picture {
  /// Parallel lines across the whole picture, `spacing` apart starting at
  /// `first`, horizontal (or vertical) and tilted by `tilt` pixels across
  /// per pixel along.
  mutating func lines(vertical: Bool = false, first: Double, spacing: Double, pen: Double, ink: UInt8, tilt: Double = 0) {
    let along = Double(vertical ? height : width), across = Double(vertical ? width : height)
    let rise = tilt * along
    var at = first - (abs(rise) / spacing).rounded(.up) * spacing
    while at < across + abs(rise) {
      let a = (0.0, at), b = (along, at + rise)
      stroke(vertical ? [(a.1, a.0), (b.1, b.0)] : [a, b], pen: pen, ink: ink)
      at += spacing
    }
  }

  /// Paper of `kind` ("plain", "ruled", "dark-ruled", "squared",
  /// "dark-squared", "whiteboard"), width x height, the lines shifted by
  /// `shift` and tilted by `tilt`; the ink level for a digit on it.
  static func paper(_ kind: String, width: Int = 200, height: Int = 160, shift: Double = 0, tilt: Double = 0)
    -> (Picture, ink: UInt8)
  {
    switch kind {
    case "ruled":  // light blue rules, as grey
      var p = Picture(width: width, height: height, paper: 236)
      p.lines(first: 9 + shift, spacing: 19, pen: 1.3, ink: 196, tilt: tilt)
      return (p, 40)
    case "dark-ruled":  // strong rules and a margin line
      var p = Picture(width: width, height: height, paper: 226)
      p.lines(first: 12 + shift, spacing: 22, pen: 2, ink: 80, tilt: tilt)
      p.lines(vertical: true, first: 24 + shift, spacing: 1000, pen: 2, ink: 120, tilt: -tilt)
      return (p, 35)
    case "squared":
      var p = Picture(width: width, height: height, paper: 240)
      p.lines(first: 5 + shift, spacing: 13, pen: 1, ink: 190, tilt: tilt)
      p.lines(vertical: true, first: 3 + shift, spacing: 13, pen: 1, ink: 190, tilt: -tilt)
      return (p, 40)
    case "dark-squared":
      var p = Picture(width: width, height: height, paper: 228)
      p.lines(first: 5 + shift, spacing: 12, pen: 1.5, ink: 95, tilt: tilt)
      p.lines(vertical: true, first: 3 + shift, spacing: 12, pen: 1.5, ink: 95, tilt: -tilt)
      return (p, 30)
    case "whiteboard":  // shading, a glare spot, a light grey marker
      var p = Picture(width: width, height: height, paper: 0)
      for y in 0..<height {
        for x in 0..<width {
          let gx = Double(x) - 0.7 * Double(width), gy = Double(y) - 0.3 * Double(height)
          let glare = 40 * max(0, 1 - (gx * gx + gy * gy) / (0.3 * Double(width * width)))
          p.pixels[y * width + x] = UInt8(min(255, 200 + 30 * Double(x + y) / Double(width + height) + glare))
        }
      }
      return (p, 150)
    default:
      return (Picture(width: width, height: height, paper: 235), 30)
    }
  }
}

/// dgi_preprocess's pipeline with or without the ruling step: what the
/// step changes, measured.
func preprocessed(_ p: Picture, removeLines: Bool) -> (Status, [UInt8], PreprocessFindings) {
  let layout = PreprocessLayout(width: p.width, height: p.height)!
  var scratch = [UInt64](repeating: 0x5A5A, count: layout.size / 8 + 1)
  var out = [UInt8](repeating: 0, count: 784)
  var found = PreprocessFindings()
  let status = scratch.withUnsafeMutableBytes { s in
    p.pixels.withUnsafeBufferPointer { image in
      preprocess(
        image.baseAddress!, width: p.width, height: p.height, stride: p.width, flags: DGI_INK_AUTO, layout,
        s.baseAddress!, &out, &found, removeLines: removeLines)
    }
  }
  return (status, out, found)
}

@Suite struct RulingTests {
  static let papers = ["plain", "ruled", "dark-ruled", "squared", "dark-squared", "whiteboard"]

  /// A digit about 75 px tall near the middle of a 200x160 sheet.
  static func digit(_ d: Int, on kind: String, x: Double = 70, y: Double = 40, h: Double = 75, shift: Double = 0, tilt: Double = 0)
    -> Picture
  {
    var (p, ink) = Picture.paper(kind, shift: shift, tilt: tilt)
    p.digit(d, x: x + (d == 1 ? -10 : 0), y: y, w: h * 0.7, h: h, pen: kind == "whiteboard" ? 0.12 : 0.09, ink: ink)
    return p
  }

  @Test(arguments: papers)
  func everyDigitIsReadOnEveryPaper(kind: String) throws {
    for d in 0...9 {
      let (status, out, info) = preprocessed(Self.digit(d, on: kind))
      #expect(status == DGI_OK)
      let answer = try shippedModel.classify(out)
      #expect(answer.digit == d, "\(d) on \(kind): read \(answer.digit) (\(answer.confidence)), \(info)")
    }
  }

  /// The issue's failing cases: a 3 on dark ruled paper (read as 8), a
  /// digit on dark squared paper (8 at 99.9%).
  @Test func theIssuesThreeAndSquaredPaper() throws {
    for kind in ["dark-ruled", "dark-squared"] {
      for d in [3, 5] {
        let (status, out, info) = preprocessed(Self.digit(d, on: kind))
        #expect(status == DGI_OK)
        #expect(try shippedModel.classify(out).digit == d, "\(d) on \(kind), \(info)")
        // Same input as on plain paper, up to where the lines cut the strokes.
        let plain = preprocessed(Self.digit(d, on: "plain")).1
        #expect(meanAbsoluteDifference(out, plain) < 14, "\(d) on \(kind)")
      }
    }
  }

  /// Strokes parallel to the lines, even lying on one, are not lines: they
  /// are shorter than the frame.
  @Test func onesAndSevensParallelToTheLinesStay() throws {
    // The bar of a 7 drawn on a rule (dark-ruled: rules at 12 + 22k, so 56).
    var seven = Picture.paper("dark-ruled").0
    seven.digit(7, x: 70, y: 56 - 0.05 * 75, w: 52, h: 75, pen: 0.09, ink: 35)
    var plainSeven = Picture.paper("plain").0
    plainSeven.digit(7, x: 70, y: 56 - 0.05 * 75, w: 52, h: 75, pen: 0.09, ink: 35)
    // A 1 drawn straight down a grid line (squared: columns at 3 + 13k, so 94),
    // and one next to the margin line.
    var one = Picture.paper("squared").0
    one.stroke([(94, 30), (94, 125)], pen: 7, ink: 40)
    var plainOne = Picture.paper("plain").0
    plainOne.stroke([(94, 30), (94, 125)], pen: 7, ink: 40)
    var margin = Picture.paper("dark-ruled").0
    margin.stroke([(36, 30), (35, 125)], pen: 7, ink: 35)
    for (picture, plain, d) in [(seven, plainSeven, 7), (one, plainOne, 1), (margin, plainOne, 1)] {
      let (status, out, _) = preprocessed(picture)
      #expect(status == DGI_OK)
      #expect(try shippedModel.classify(out).digit == d)
      // The 7's bar keeps the pixels on the rule, so its input is a little
      // bolder there than on plain paper.
      #expect(meanAbsoluteDifference(out, preprocessed(plain).1) < 30, "\(d)")
    }
  }

  /// A single stroke across the whole frame (a 1 drawn edge to edge on a
  /// canvas, the bar of a tightly cropped 7) is a digit, not ruling: lines
  /// go only in families.
  @Test func aStrokeFromEdgeToEdgeStays() throws {
    var one = Picture(width: 60, height: 100, paper: 255)
    one.stroke([(31, 0), (29, 100)], pen: 8, ink: 0)
    let (status, out, found) = preprocessed(one, removeLines: true)
    #expect(status == .ok && found.dropped == 0)
    #expect(out == preprocessed(one, removeLines: false).1)
    #expect(try shippedModel.classify(out).digit == 1)
  }

  @Test(arguments: ["ruled", "dark-ruled", "squared", "dark-squared"])
  func linesAloneAreNotADigit(kind: String) {
    #expect(preprocessed(Picture.paper(kind).0).0 == DGI_ERROR_NO_INK)
  }

  /// Property: on images without lines the step changes nothing, whatever
  /// the digit, size, place, pen, polarity, paper level or noise.
  @Test func withoutLinesNothingChanges() {
    var rng = SplitMix64(seed: 13)
    for n in 0..<120 {
      let width = [28, 64, 200, 333][n % 4], height = [28, 48, 160, 251][(n / 4) % 4]
      let light = n % 3 == 0
      let paper = UInt8.random(in: 150...250, using: &rng)
      var p = Picture(width: width, height: height, paper: light ? 255 - paper : paper)
      let h = Double.random(in: 0.4...0.95, using: &rng) * Double(height)
      let w = min(Double(width) * 0.95, h * Double.random(in: 0.5...0.9, using: &rng))
      let x = Double.random(in: 0...(Double(width) - w), using: &rng)
      let y = Double.random(in: 0...(Double(height) - h), using: &rng)
      p.digit(
        n % 10, x: x, y: y, w: w, h: h, pen: Double.random(in: 0.04...0.16, using: &rng),
        ink: light ? UInt8.random(in: 170...255, using: &rng) : UInt8.random(in: 0...90, using: &rng))
      if n % 2 == 1 {
        for i in p.pixels.indices { p.pixels[i] = p.pixels[i] &+ UInt8(rng.next() % 7) &- 3 }
      }
      let with = preprocessed(p, removeLines: true), without = preprocessed(p, removeLines: false)
      let same = with.0 == without.0 && with.1 == without.1
      #expect(same && with.2.dropped == without.2.dropped, "image \(n)")
    }
  }

  /// The step itself, against hand-made expectations: three rules at rows
  /// 10, 20 and 30 (two pixels thick) of a 64x48 image, a stroke at columns
  /// 30...32 crossing them all, and a short bar at row 40. The rules are
  /// marked but where the stroke crosses them; nothing else is.
  @Test func marksLinesButNotCrossings() {
    let (width, height) = (64, 48)
    let rules = [10, 11, 20, 21, 30, 31]
    var ink = [UInt8](repeating: 0, count: width * height)
    for row in rules { for x in 0..<width { ink[row * width + x] = 100 } }
    for y in 5..<40 { for x in 30...32 { ink[y * width + x] = 200 } }
    for x in 10..<40 { ink[40 * width + x] = 200 }
    let original = ink
    var work = [UInt8](repeating: 0xEE, count: Ruling.workBytes(width: width, height: height))
    #expect(findRuling(ink, width: width, height: height, work: &work) == 3)
    #expect(ink == original)
    for y in 0..<height {
      for x in 0..<width {
        let expected = rules.contains(y) && !(30...32).contains(x)
        #expect((work[y * width + x] != 0) == expected, "\(x),\(y)")
      }
    }
    // One rule alone is not ruling: nothing is marked.
    var single = [UInt8](repeating: 0, count: width * height)
    for x in 0..<width { single[10 * width + x] = 100 }
    #expect(findRuling(single, width: width, height: height, work: &work) == 0)
    #expect(work[0..<(width * height)].allSatisfy { $0 == 0 })
  }

  /// Accuracy over a grid of ruled and squared variants (digit, paper,
  /// line offset, tilt, size), with and without the ruling step.
  @Test func accuracyOnLinedPaper() throws {
    var total = 0, before = 0, after = 0
    for kind in ["ruled", "dark-ruled", "squared", "dark-squared"] {
      for shift in [0.0, 4, 9] {
        for tilt in [0.0, 0.02, -0.035] {
          for (h, x, y) in [(75.0, 70.0, 40.0), (50.0, 120.0, 20.0)] {
            for d in 0...9 {
              let p = Self.digit(d, on: kind, x: x, y: y, h: h, shift: shift, tilt: tilt)
              total += 1
              let without = preprocessed(p, removeLines: false), with = preprocessed(p, removeLines: true)
              if without.0 == .ok, try shippedModel.classify(without.1).digit == d { before += 1 }
              if with.0 == .ok, try shippedModel.classify(with.1).digit == d { after += 1 }
            }
          }
        }
      }
    }
    print("ruling: \(total) lined/squared images, read correctly without the ruling step \(before), with it \(after)")
    // Measured with the shipped 11-class model: 354 without, 619 with (the
    // ten-digit model: 388 and 632). Most misses left are digits only four
    // squares tall on squared paper.
    #expect(after * 100 >= total * 85 && before * 100 <= total * 60)
  }
}
