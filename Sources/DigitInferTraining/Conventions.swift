import DigitInferSupport

/// Ways of writing a digit that much of the world uses and MNIST's American
/// writers rarely do, added with a pen stroke to an MNIST digit: the 1 with a
/// long flag (up-stroke) from its top, the 7 with a bar through its stem.
/// An 11-class model that never saw them has only "not a digit", or a 4,
/// for a flagged 1 (docs/NOT-A-DIGIT.md).
enum Conventions {
  /// Share of the 1s given a flag and of the 7s given a bar.
  static let flaggedOnes = 0.5
  static let crossedSevens = 0.3

  /// `digit` (28x28, ink high) maybe written the other way, for its label;
  /// other digits, and those the draw leaves alone, come back unchanged.
  static func written(_ digit: [UInt8], label: UInt8, _ rng: inout SplitMix64) -> [UInt8] {
    switch label {
    case 1 where Negatives.unit(&rng) < flaggedOnes: return flagged(digit, &rng) ?? digit
    case 7 where Negatives.unit(&rng) < crossedSevens: return crossed(digit, &rng) ?? digit
    default: return digit
    }
  }

  /// A 1 with a flag: a stroke from the top of its stem down to the left,
  /// a quarter to 0.6 of its height across and up to half of it down (as
  /// long and steep as Semeion's), in the digit's own pen.
  static func flagged(_ digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    let top = SIMD2(ink.centre(ofRow: ink.top, digit), Double(ink.top) + ink.pen / 2)
    let end = top + SIMD2(-Negatives.uniform(&rng, 0.25, 0.6), Negatives.uniform(&rng, 0.12, 0.5)) * ink.height
    return ink.drawn([top, end], over: digit)
  }

  /// A 7 with a bar across its stem, a little below the middle.
  static func crossed(_ digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    let row = ink.top + Int((Negatives.uniform(&rng, 0.45, 0.6) * ink.height).rounded())
    let centre = SIMD2(ink.centre(ofRow: row, digit), Double(row) + 0.5)
    let half = Negatives.uniform(&rng, 0.15, 0.25) * ink.height, tilt = Negatives.uniform(&rng, -0.1, 0.1)
    return ink.drawn([centre + SIMD2(-half, -half * tilt), centre + SIMD2(half, half * tilt)], over: digit)
  }

  /// Where a digit's ink (pixels of 128 or more) is, and how broad its pen.
  struct Ink {
    let top: Int
    let height: Double
    /// Ink pixels per row: a 1's stroke width (about MNIST's 2 to 4 pixels).
    let pen: Double
    let level: Double

    init?(_ digit: [UInt8]) {
      guard let box = InkBox(digit, threshold: 128), box.height >= 7 else { return nil }
      top = box.top
      height = Double(box.height)
      pen = min(4.5, max(1.5, Double(box.count) / height))
      level = Double(digit.max() ?? 255) / 255
    }

    /// Mean x (pixel centres) of the ink in a row, or of the whole image's
    /// middle column when the row has none.
    func centre(ofRow row: Int, _ digit: [UInt8]) -> Double {
      var sum = 0.0, n = 0.0
      for x in 0..<28 where digit[min(27, max(0, row)) * 28 + x] >= 128 {
        sum += Double(x) + 0.5; n += 1
      }
      return n > 0 ? sum / n : 14
    }

    /// The digit with a stroke through `points` in its pen, ink combined by
    /// maximum; nil if the stroke leaves the image.
    func drawn(_ points: [SIMD2<Double>], over digit: [UInt8]) -> [UInt8]? {
      guard points.allSatisfy({ $0.x >= 1 && $0.y >= 1 && $0.x <= 27 && $0.y <= 27 }) else { return nil }
      var canvas = Negatives.Canvas(side: 28)
      canvas.stroke(points, width: pen)
      return (0..<784).map { max(digit[$0], UInt8((canvas.ink[$0] * level * 255).rounded())) }
    }
  }
}
