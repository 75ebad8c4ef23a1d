import DigitInferSupport

/// Ways of writing a digit that much of the world uses and MNIST's American
/// writers rarely do, drawn with a pen stroke on or in place of an MNIST
/// digit: the 1 with a long flag (up-stroke) from its top, the 7 with a bar
/// through its stem, the 4 in one stroke (a curve down to the bar, a short
/// stem), the 9 whose tail hooks back to the left. An 11-class model that
/// never saw them has only "not a digit", or another digit, for them: a
/// flagged 1 reads as 4, such a 4 as 6 or 9, such a 9 as 3 or 8
/// (docs/NOT-A-DIGIT.md).
enum Conventions {
  /// Share of the 1s given a flag, of the 7s given a bar, of the 4s drawn
  /// in one stroke and of the 9s given a hook.
  static let flaggedOnes = 0.5
  static let crossedSevens = 0.3
  static let oneStrokeFours = 0.3
  static let hookedNines = 0.3

  /// `digit` (28x28, ink high) maybe written the other way, for its label;
  /// other digits, and those the draw leaves alone, come back unchanged.
  static func written(_ digit: [UInt8], label: UInt8, _ rng: inout SplitMix64) -> [UInt8] {
    switch label {
    case 1 where Negatives.unit(&rng) < flaggedOnes: return flagged(digit, &rng) ?? digit
    case 7 where Negatives.unit(&rng) < crossedSevens: return crossed(digit, &rng) ?? digit
    case 4 where Negatives.unit(&rng) < oneStrokeFours: return oneStrokeFour(in: digit, &rng) ?? digit
    case 9 where Negatives.unit(&rng) < hookedNines: return hooked(digit, &rng) ?? digit
    default: return digit
    }
  }

  /// A 1 with a flag: a stroke from the top of its stem down to the left,
  /// a fifth to 0.45 of its height across and 0.75 to 1.5 times that down
  /// (as steep as Semeion's), in the digit's own pen. Never flatter: a
  /// flag under about 35 degrees is a 7's roof, and the flags the model
  /// before (b16, docs/NOT-A-DIGIT.md) trained on (up to 0.6 across and as
  /// little as 0.12 down) taught it to read 7s with a short roof as 1.
  static func flagged(_ digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    let top = SIMD2(ink.centre(ofRow: ink.box.top, digit), Double(ink.box.top) + ink.pen / 2)
    let across = Negatives.uniform(&rng, 0.2, 0.45)
    let end = top + SIMD2(-across, across * Negatives.uniform(&rng, 0.75, 1.5)) * ink.height
    return ink.drawn([[top, end]], over: digit)
  }

  /// A 7 with a bar across its stem, a little below the middle.
  static func crossed(_ digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    let row = ink.box.top + Int((Negatives.uniform(&rng, 0.45, 0.6) * ink.height).rounded())
    let centre = SIMD2(ink.centre(ofRow: row, digit), Double(row) + 0.5)
    let half = Negatives.uniform(&rng, 0.15, 0.25) * ink.height, tilt = Negatives.uniform(&rng, -0.1, 0.1)
    return ink.drawn([[centre + SIMD2(-half, -half * tilt), centre + SIMD2(half, half * tilt)]], over: digit)
  }

  /// A 4 as many Europeans write it, in place of the MNIST 4 and in its
  /// box: from the top a curve (or a straight slope) down to the left, the
  /// bar across to the right, then the stem, starting a little above the
  /// bar, down through it. The stroke back up to the stem's top is left
  /// out: it runs along the stem.
  static func oneStrokeFour(in digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    // As wide as 0.6 to 1 of the height, centred on the MNIST 4's box.
    let height = ink.height, width = height * Negatives.uniform(&rng, 0.6, 1)
    let origin = SIMD2(Double(ink.box.left + ink.box.right + 1) / 2 - width / 2, Double(ink.box.top))
    func at(_ x: Double, _ y: Double) -> SIMD2<Double> { origin + SIMD2(x * width, y * height) }
    let start = at(Negatives.uniform(&rng, 0.4, 0.65), 0)
    let corner = at(Negatives.uniform(&rng, 0, 0.15), Negatives.uniform(&rng, 0.55, 0.75))
    // The bar level or rising a little to the right.
    let barEnd = SIMD2(origin.x + Negatives.uniform(&rng, 0.85, 1) * width, corner.y + Negatives.uniform(&rng, -0.12, 0.02) * height)
    // The down stroke bows out to the left, from a straight slope to a C
    // whose middle touches the box's left edge.
    let bow = Negatives.unit(&rng) * ((start.x + corner.x) / 2 - origin.x)
    let down = (0...8).map { i -> SIMD2<Double> in
      let t = Double(i) / 8
      return start + (corner - start) * t - SIMD2(bow * 4 * t * (1 - t), 0)
    }
    let stemX = Negatives.uniform(&rng, 0.55, 0.75)
    let stem = [at(stemX, Negatives.uniform(&rng, 0.3, 0.55)), at(stemX + Negatives.uniform(&rng, -0.1, 0.05), 1)]
    return ink.drawn([down + [barEnd], stem], over: [UInt8](repeating: 0, count: 784))
  }

  /// A 9 whose tail, at the bottom, hooks back to the left and a little up.
  static func hooked(_ digit: [UInt8], _ rng: inout SplitMix64) -> [UInt8]? {
    guard let ink = Ink(digit) else { return nil }
    let bottom = SIMD2(ink.centre(ofRow: ink.box.bottom, digit), Double(ink.box.bottom) + 0.5 - ink.pen / 2)
    let across = Negatives.uniform(&rng, 0.3, 0.6) * ink.height, rise = Negatives.uniform(&rng, 0, 0.25) * ink.height
    let hook = [bottom, bottom + SIMD2(-across * 0.4, ink.pen / 2), bottom + SIMD2(-across * 0.8, ink.pen / 2 - rise * 0.4), bottom + SIMD2(-across, -rise)]
    return ink.drawn([hook], over: digit)
  }

  /// Where a digit's ink (pixels of 128 or more) is, and how broad its pen.
  struct Ink {
    let box: InkBox
    let height: Double
    /// The pen's width: the median length of the rows' runs of ink, which
    /// across a stroke is its width (about MNIST's 2 to 4 pixels) and is
    /// longer only along bars, a minority of the runs.
    let pen: Double
    let level: Double

    init?(_ digit: [UInt8]) {
      guard let box = InkBox(digit, threshold: 128), box.height >= 7 else { return nil }
      self.box = box
      height = Double(box.height)
      var runs: [Int] = []
      for y in box.top...box.bottom {
        var run = 0
        for x in 0...28 {
          if x < 28 && digit[y * 28 + x] >= 128 { run += 1 } else if run > 0 { runs.append(run); run = 0 }
        }
      }
      runs.sort()
      pen = min(4.5, max(1.5, Double(runs[runs.count / 2])))
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

    /// The digit with `strokes` (each a polyline) drawn over it in its pen,
    /// ink combined by maximum; nil if a stroke leaves the image.
    func drawn(_ strokes: [[SIMD2<Double>]], over digit: [UInt8]) -> [UInt8]? {
      guard strokes.joined().allSatisfy({ $0.x >= 1 && $0.y >= 1 && $0.x <= 27 && $0.y <= 27 }) else { return nil }
      var canvas = Negatives.Canvas(side: 28)
      for points in strokes { canvas.stroke(points, width: pen) }
      return (0..<784).map { max(digit[$0], UInt8((canvas.ink[$0] * level * 255).rounded())) }
    }
  }
}
