import DigitInferData
import DigitInferSupport

/// Pieces of touching digits cut in the wrong place, for the "not a digit"
/// class: what `dgi_read_number` sees when it tries a cut through a pair of
/// touching digits at the wrong column. A piece holds one whole digit and a
/// part of its neighbour's (15% to 50% of that digit's ink: "an 8 with a 7's
/// bar"). Read as a sure digit, such a piece outscores the right cut (an 8
/// and a 7) and the number comes out wrong; refused, it loses to it.
///
/// The pair is composed as `Negatives.digitPair` composes its pairs (two
/// MNIST digits side by side, here 10 to 15 columns apart: touching or
/// overlapping), and the piece is the pair's columns on one side of the
/// cut, through `dgi_preprocess`, as the reader fits each piece. A piece
/// whose whole digit is a 1 is not made: a 1 with a neighbour's stroke is
/// what a flagged 1 or a 7 looks like. Deterministic: image `i` depends only
/// on the seed, `i` and the source digits.
public enum CutPieces {
  /// `count` pieces labelled 10, cut from pairs of `digits`.
  public static func generate(from digits: DigitSet, count: Int, seed: UInt64, name: String) -> DigitSet {
    Negatives.set(count: count, name: name) { i in image(index: i, seed: seed, digits: digits) }
  }

  /// Piece `index`: 784 bytes. Pairs with no such cut are drawn again; after
  /// a bounded number of tries, a digit pair (`Negatives.digitPair`) stands in.
  public static func image(index: Int, seed: UInt64, digits: DigitSet) -> [UInt8] {
    var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15) ^ 0x6375_7470_6965_6365)
    for _ in 0..<100 {
      if let image = piece(digits, &rng) { return image }
    }
    for _ in 0..<20 {
      if let image = Negatives.digitPair(digits, &rng) { return image }
    }
    return Negatives.raw(.uniformNoise, &rng)
  }

  /// The share of the neighbour's ink a piece takes with its whole digit.
  static let neighbourShare = (low: 0.15, high: 0.5)
  /// The share of its own digit's ink a piece must keep to hold it whole.
  static let wholeShare = 0.97
  /// How many columns (of 28) the neighbour's part must reach past the digit.
  static let overhang = 3

  static func piece(_ digits: DigitSet, _ rng: inout SplitMix64) -> [UInt8]? {
    let i = Int(rng.next() % UInt64(digits.count)), j = Int(rng.next() % UInt64(digits.count))
    let a = Array(digits.image(i)), b = Array(digits.image(j))
    // true: the left digit whole with the right one's left part; false: the
    // right digit whole with the left one's right part.
    let keepLeft = rng.next() & 1 == 0
    guard digits.labels[keepLeft ? i : j] != 1 else { return nil }
    let step = 10 + Int(rng.next() % 6)
    let width = 28 + step
    let canvas = Negatives.sideBySide(a, b, step: step)
    var inkA = [Int](repeating: 0, count: width), inkB = [Int](repeating: 0, count: width)
    for y in 0..<28 {
      for x in 0..<28 {
        inkA[x] += Int(a[y * 28 + x])
        inkB[x + step] += Int(b[y * 28 + x])
      }
    }
    let totalA = inkA.reduce(0, +), totalB = inkB.reduce(0, +)
    guard totalA > 0, totalB > 0 else { return nil }
    // Cuts c (the piece is columns ..<c, or c...) that keep the whole digit
    // and take a share of its neighbour within bounds.
    var cuts: [Int] = []
    var leftA = 0, leftB = 0
    for c in 1..<width {
      leftA += inkA[c - 1]
      leftB += inkB[c - 1]
      let (whole, part, wholeTotal, partTotal) =
        keepLeft ? (leftA, leftB, totalA, totalB) : (totalB - leftB, totalA - leftA, totalB, totalA)
      let share = Double(part) / Double(partTotal)
      if Double(whole) >= wholeShare * Double(wholeTotal) && share >= neighbourShare.low
        && share <= neighbourShare.high
      {
        cuts.append(c)
      }
    }
    guard !cuts.isEmpty else { return nil }
    let cut = cuts[Int(rng.next() % UInt64(cuts.count))]
    let columns = keepLeft ? 0..<cut : cut..<width
    @inline(__always) func ink(_ p: Int) -> Bool { columns.contains(p % width) && canvas[p] >= Negatives.shapeInk }
    @inline(__always) func wholeInk(_ x: Int, _ y: Int) -> Bool {
      keepLeft ? x < 28 && a[y * 28 + x] >= Negatives.shapeInk : x >= step && b[y * 28 + x - step] >= Negatives.shapeInk
    }
    // The reader cuts only a group of ink that touches: the neighbour's part
    // must hang on the whole digit, or the piece is a digit and a speck
    // that preprocessing would drop.
    var seeds: [Int] = []
    for y in 0..<28 { for x in columns where wholeInk(x, y) && ink(y * width + x) { seeds.append(y * width + x) } }
    let reached = Negatives.reached(width: width, height: 28, seeds: seeds, passable: ink)
    // And it must stick out past the digit (by `overhang` columns): hidden
    // inside a 0's loop it leaves a digit, which must not be taught as a
    // negative.
    var part = 0, hanging = 0, digitEdge = keepLeft ? -1 : width, pieceEdge = digitEdge
    for y in 0..<28 {
      for x in columns where ink(y * width + x) {
        pieceEdge = keepLeft ? max(pieceEdge, x) : min(pieceEdge, x)
        if wholeInk(x, y) {
          digitEdge = keepLeft ? max(digitEdge, x) : min(digitEdge, x)
        } else {
          part += 1
          if reached[y * width + x] { hanging += 1 }
        }
      }
    }
    guard part >= 8, hanging * 10 >= part * 9, abs(pieceEdge - digitEdge) >= overhang else { return nil }
    let square = Negatives.squared(canvas, width: width, columns: columns)
    return Negatives.fitted(square, side: width, allowNarrow: true)
  }
}
