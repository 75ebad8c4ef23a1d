import DigitInfer
import DigitInferData
import DigitInferFormat
import DigitInferSupport
import Foundation

/// Images that are not digits, for the "not a digit" class (class 10) of
/// an 11-class model: in MNIST's format (28x28 bytes, 0 = background), made
/// the way users' images reach the model. Drawn and composed images go
/// through the runtime's own `dgi_preprocess` (polarity, debris removal,
/// fit to 20x20, centring by mass); noise, ruling and specks come both raw
/// (what `dgi_classify` gets from a caller that preprocesses nothing) and
/// preprocessed. Deterministic: image `i` of a seed depends only on the
/// seed, `i`, the style and the source digits.
public enum Negatives {
  public enum Kind: String, CaseIterable, Sendable {
    /// Random pen walks and zigzags (crossing out).
    case scribble
    /// Letters and signs (`NegativeGlyphs`), none shaped like a digit.
    case letter
    /// Part of a digit cut off by a straight line (never a 1, never a fragment with a closed loop).
    case partialDigit
    /// Two digits side by side, squeezed into one image.
    case digitPair
    case uniformNoise
    case saltAndPepper
    case blobs
    /// Ruled or squared paper lines.
    case lines
    /// A few small dots on blank paper.
    case specks
  }

  /// How the strokes are drawn. The held-out test set uses its own hand:
  /// wider ranges of pen width, slant and wobble, and letters the training
  /// hand never draws (`NegativeGlyphs.heldOutOnly`).
  public enum Style: Sendable { case training, heldOut }

  /// Kinds in the proportions the generator draws them (image i is kind
  /// `mix[i % mix.count]`): strokes most, noise least, and partial digits
  /// once only, since a fragment can still read as a digit (the top of a 9
  /// as a 7) and every such image teaches the model to reject real digits.
  static let mix: [Kind] = [
    .letter, .scribble, .partialDigit, .digitPair, .letter, .uniformNoise, .scribble, .lines, .letter,
    .blobs, .saltAndPepper, .digitPair, .blobs, .specks,
  ]

  /// `count` negatives labelled 10. `digits` supplies the partial digits and
  /// pairs (training digits for training, others for measurement); without
  /// it those kinds are skipped.
  public static func generate(count: Int, seed: UInt64, style: Style, digits: DigitSet?, name: String = "negatives") -> DigitSet {
    let kinds = digits == nil ? mix.filter { $0 != .partialDigit && $0 != .digitPair } : mix
    return set(count: count, name: name) { i in
      Self.image(kinds[i % kinds.count], index: i, seed: seed, style: style, digits: digits)
    }
  }

  /// `count` images labelled 10 (an 11-class set), image `i` made by
  /// `image(i)` (784 bytes), in parallel.
  static func set(count: Int, name: String, _ image: (Int) -> [UInt8]) -> DigitSet {
    var pixels = [UInt8](repeating: 0, count: count * 784)
    pixels.withUnsafeMutableBufferPointer { out in
      let out = out
      Parallel.forEach(count) { range, _ in
        for i in range {
          let made = image(i)
          for p in 0..<784 { out[i * 784 + p] = made[p] }
        }
      }
    }
    return try! DigitSet(
      name: name, rows: 28, columns: 28, pixels: pixels, labels: [UInt8](repeating: 10, count: count), classes: 11)
  }

  /// The kind of image `i` of a set made with (or without) source digits.
  public static func kind(of i: Int, withDigits: Bool) -> Kind {
    let kinds = withDigits ? mix : mix.filter { $0 != .partialDigit && $0 != .digitPair }
    return kinds[i % kinds.count]
  }

  /// One negative of `kind`: 784 bytes.
  public static func image(_ kind: Kind, index: Int, seed: UInt64, style: Style, digits: DigitSet?) -> [UInt8] {
    var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15) ^ 0x6E65_6761_7469_7665)
    // A drawing that preprocessing rejects (or that came out like a 1) is
    // drawn again; the attempts are bounded, and noise always succeeds.
    for _ in 0..<20 {
      if let image = attempt(kind, &rng, style: style, digits: digits) { return image }
    }
    return raw(.uniformNoise, &rng)
  }

  static func attempt(_ kind: Kind, _ rng: inout SplitMix64, style: Style, digits: DigitSet?) -> [UInt8]? {
    switch kind {
    case .scribble, .letter:
      var canvas = Canvas(side: 48)
      let pen = style == .training ? uniform(&rng, 2.2, 4.5) : uniform(&rng, 1.6, 6.5)
      if kind == .letter { drawLetter(&canvas, &rng, style: style, pen: pen) } else { drawScribble(&canvas, &rng, pen: pen) }
      guard let image = fitted(canvas.bytes(), side: 48, allowNarrow: false) else { return nil }
      return kind == .letter || !isLine(image) ? image : nil
    case .partialDigit:
      guard let digits else { return nil }
      return partialDigit(digits, &rng)
    case .digitPair:
      guard let digits else { return nil }
      return digitPair(digits, &rng)
    case .uniformNoise, .saltAndPepper, .blobs, .lines:
      if unit(&rng) < 0.5 { return raw(kind, &rng) }
      // The same picture on a larger sheet, as a user's photo of it would be.
      var big = [UInt8](repeating: 0, count: 56 * 56)
      let tile = raw(kind, &rng)
      for y in 0..<56 { for x in 0..<56 { big[y * 56 + x] = tile[(y / 2) * 28 + x / 2] } }
      return fitted(big, side: 56, allowNarrow: true)
    case .specks:
      return raw(.specks, &rng)
    }
  }

  // MARK: Drawing

  /// A grey canvas of coverage in 0...1 with round-capped strokes
  /// (`PenStroke`, as tools/samples draws in colour).
  struct Canvas {
    let side: Int
    var ink: [Double]
    init(side: Int) {
      self.side = side
      ink = [Double](repeating: 0, count: side * side)
    }

    mutating func stroke(_ points: [SIMD2<Double>], width: Double) {
      let side = side
      PenStroke.cover(points, radius: { _ in width / 2 }, columns: 0...(side - 1), rows: 0...(side - 1)) { x, y, c in
        if c > ink[y * side + x] { ink[y * side + x] = c }
      }
    }

    func bytes() -> [UInt8] { ink.map { UInt8(min(255, max(0, ($0 * 255).rounded()))) } }
  }

  static func drawLetter(_ canvas: inout Canvas, _ rng: inout SplitMix64, style: Style, pen: Double) {
    let glyphs = style == .training ? NegativeGlyphs.training : NegativeGlyphs.training + NegativeGlyphs.heldOutOnly
    var glyph = glyphs[Int(rng.next() % UInt64(glyphs.count))]
    // Loops near a digit's are drawn a quarter as often: redraw 3 times in 4.
    if NegativeGlyphs.rare.contains(glyph) && rng.next() % 4 != 0 {
      glyph = glyphs[Int(rng.next() % UInt64(glyphs.count))]
      if NegativeGlyphs.rare.contains(glyph) { glyph = "x" }
    }
    let size = uniform(&rng, 22, 38)
    let aspect = exp(uniform(&rng, -0.3, 0.3))
    let turn = (style == .training ? 15.0 : 25.0) * (2 * unit(&rng) - 1) * .pi / 180
    let shear = uniform(&rng, -0.25, 0.25)
    let wobble = style == .training ? 0.03 : 0.05
    let centre = SIMD2(24 + uniform(&rng, -3, 3), 24 + uniform(&rng, -3, 3))
    for stroke in NegativeGlyphs.strokes(glyph) {
      let phase = uniform(&rng, 0, 2 * .pi), frequency = uniform(&rng, 1.5, 3)
      let points = stroke.enumerated().map { i, p -> SIMD2<Double> in
        let t = Double(i) / Double(max(1, stroke.count - 1))
        var q = p - 0.5 + wobble * SIMD2(sin(phase + frequency * 6 * t), cos(phase + frequency * 5 * t))
        q = SIMD2(q.x * aspect + shear * q.y, q.y / aspect) * size
        return centre + SIMD2(q.x * cos(turn) - q.y * sin(turn), q.x * sin(turn) + q.y * cos(turn))
      }
      canvas.stroke(points, width: pen)
    }
  }

  /// A pen wandering with changing curvature, or a zigzag crossing out.
  static func drawScribble(_ canvas: inout Canvas, _ rng: inout SplitMix64, pen: Double) {
    var p = SIMD2(uniform(&rng, 12, 36), uniform(&rng, 12, 36))
    var points = [p]
    if unit(&rng) < 0.3 {
      // Four or more turns: with fewer, a zigzag is a Z, a 2.
      let rows = 4 + Int(rng.next() % 4), height = uniform(&rng, 18, 34), width = uniform(&rng, 20, 36)
      let top = 24 - height / 2, left = 24 - width / 2
      points = (0...rows).map { k in
        SIMD2(k % 2 == 0 ? left : left + width, top + height * Double(k) / Double(rows)) + SIMD2(uniform(&rng, -3, 3), uniform(&rng, -2, 2))
      }
      points = zip(points, points.dropFirst()).flatMap { a, b in (0..<8).map { a + (b - a) * (Double($0) / 8) } } + [points.last!]
    } else {
      var heading = uniform(&rng, 0, 2 * .pi), turn = uniform(&rng, -0.5, 0.5)
      for _ in 0..<(60 + Int(rng.next() % 60)) {
        turn = max(-0.7, min(0.7, turn + uniform(&rng, -0.25, 0.25)))
        heading += turn
        p += 1.6 * SIMD2(cos(heading), sin(heading))
        // Turn back towards the middle near the edges.
        if p.x < 6 || p.x > 42 || p.y < 6 || p.y > 42 { heading = atan2(24 - p.y, 24 - p.x) }
        points.append(p)
      }
    }
    canvas.stroke(points, width: pen)
  }

  static func partialDigit(_ digits: DigitSet, _ rng: inout SplitMix64) -> [UInt8]? {
    let i = Int(rng.next() % UInt64(digits.count))
    // A piece of a 1 is a 1; a piece of a 7 is mostly still a 7.
    guard digits.labels[i] != 1 && digits.labels[i] != 7 else { return nil }
    var image = Array(digits.image(i))
    let total = image.reduce(0) { $0 + Int($1) }
    let angle = uniform(&rng, 0, 2 * .pi), offset = uniform(&rng, -4, 4)
    let n = SIMD2(cos(angle), sin(angle))
    for y in 0..<28 {
      for x in 0..<28 where ((SIMD2(Double(x), Double(y)) - 13.5) * n).sum() > offset { image[y * 28 + x] = 0 }
    }
    let kept = image.reduce(0) { $0 + Int($1) }
    // Enough left to be a stroke, not so much that the digit still reads,
    // and no closed loop: a lone loop is a 0, and teaching it as "not a
    // digit" would cost zeros.
    guard kept * 4 >= total, kept * 20 <= total * 9, !hasHole(image, side: 28) else { return nil }
    guard let fragment = fitted(image, side: 28, allowNarrow: false), !isLine(fragment) else { return nil }
    return fragment
  }

  static func digitPair(_ digits: DigitSet, _ rng: inout SplitMix64) -> [UInt8]? {
    let a = Array(digits.image(Int(rng.next() % UInt64(digits.count))))
    let b = Array(digits.image(Int(rng.next() % UInt64(digits.count))))
    // MNIST digits sit in the middle 20 columns; the second starts 12 to
    // 18 columns after the first, so they touch, overlap a little or stand apart.
    let step = 12 + Int(rng.next() % 7)
    let width = 28 + step
    let square = squared(sideBySide(a, b, step: step), width: width, columns: 0..<width)
    // Preprocessing keeps what is near the heaviest stroke: if it dropped
    // one digit, what is left (narrower than 0.9 of its height) is a digit,
    // not a negative.
    guard let image = fitted(square, side: width, allowNarrow: true), let box = InkBox(image, threshold: shapeInk),
      box.width * 10 >= box.height * 9
    else { return nil }
    return image
  }

  /// Noise, lines and specks straight in 28x28, as a caller that skips
  /// preprocessing passes them.
  static func raw(_ kind: Kind, _ rng: inout SplitMix64) -> [UInt8] {
    var image = [UInt8](repeating: 0, count: 784)
    switch kind {
    case .saltAndPepper:
      let density = uniform(&rng, 0.03, 0.25)
      for p in 0..<784 where unit(&rng) < density { image[p] = UInt8(128 + rng.next() % 128) }
    case .blobs:
      var canvas = Canvas(side: 28)
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        let c = SIMD2(uniform(&rng, 4, 24), uniform(&rng, 4, 24))
        canvas.stroke([c, c + SIMD2(uniform(&rng, -4, 4), uniform(&rng, -4, 4))], width: uniform(&rng, 4, 12))
      }
      image = canvas.bytes()
    case .lines:
      var canvas = Canvas(side: 28)
      let spacing = uniform(&rng, 5, 10), tilt = uniform(&rng, -0.08, 0.08), pen = uniform(&rng, 1, 2.2)
      var y = uniform(&rng, 0, spacing)
      while y < 28 {
        canvas.stroke([SIMD2(-2, y - 16 * tilt), SIMD2(30, y + 16 * tilt)], width: pen)
        y += spacing
      }
      if unit(&rng) < 0.5 {
        var x = uniform(&rng, 0, spacing)
        while x < 28 {
          canvas.stroke([SIMD2(x + 16 * tilt, -2), SIMD2(x - 16 * tilt, 30)], width: pen)
          x += spacing
        }
      }
      let level = uniform(&rng, 0.3, 1)
      image = canvas.ink.map { UInt8(($0 * level * 255).rounded()) }
    case .specks:
      var canvas = Canvas(side: 28)
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        let c = SIMD2(uniform(&rng, 2, 26), uniform(&rng, 2, 26))
        canvas.stroke([c, c], width: uniform(&rng, 1, 3))
      }
      image = canvas.bytes()
    default:  // uniform noise
      let level = uniform(&rng, 60, 255)
      for p in 0..<784 { image[p] = UInt8(level * unit(&rng)) }
    }
    return image
  }

  // MARK: Helpers

  /// Two 28x28 digits in one strip 28 rows high and 28 + `step` columns
  /// wide, the second `step` columns right of the first; where they
  /// overlap, the darker ink.
  static func sideBySide(_ a: [UInt8], _ b: [UInt8], step: Int) -> [UInt8] {
    let width = 28 + step
    var strip = [UInt8](repeating: 0, count: 28 * width)
    for y in 0..<28 {
      for x in 0..<28 {
        strip[y * width + x] = max(strip[y * width + x], a[y * 28 + x])
        strip[y * width + x + step] = max(strip[y * width + x + step], b[y * 28 + x])
      }
    }
    return strip
  }

  /// `columns` of a strip 28 rows high and `width` wide, centred
  /// vertically in a blank `width` x `width` square (what `fitted` takes).
  static func squared(_ strip: [UInt8], width: Int, columns: Range<Int>) -> [UInt8] {
    var square = [UInt8](repeating: 0, count: width * width)
    let top = (width - 28) / 2
    for y in 0..<28 { for x in columns { square[(y + top) * width + x] = strip[y * width + x] } }
    return square
  }

  /// The pixels of a `width` x `height` grid that `seeds` reach through
  /// 4-connected pixels where `passable` holds (seeds included as given).
  static func reached(width: Int, height: Int, seeds: [Int], passable: (Int) -> Bool) -> [Bool] {
    var reached = [Bool](repeating: false, count: width * height)
    var stack = seeds
    for p in seeds { reached[p] = true }
    while let p = stack.popLast() {
      let x = p % width, y = p / width
      for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < width && ny < height {
        let q = ny * width + nx
        if !reached[q] && passable(q) {
          reached[q] = true
          stack.append(q)
        }
      }
    }
    return reached
  }

  /// The runtime's preprocessing of a light-on-dark square; nil when it
  /// finds no ink, or (unless allowed) when the result is as narrow as a 1.
  static func fitted(_ pixels: [UInt8], side: Int, allowNarrow: Bool) -> [UInt8]? {
    guard let image = try? Model.preprocess(gray: pixels, width: side, height: side, ink: .light),
      let box = InkBox(image, threshold: shapeInk)
    else { return nil }
    return allowNarrow || box.width * 5 >= box.height * 2 ? image : nil
  }

  /// The least value that counts as ink where a preprocessed image's shape
  /// is judged (as narrow as a 1, one digit of a pair lost).
  static let shapeInk: UInt8 = 64

  /// Whether the ink is one straight stroke (its second moment along the
  /// narrow axis under 1/8 of that along the long one): a 1, however slanted.
  static func isLine(_ image: [UInt8]) -> Bool {
    var m = 0.0, mx = 0.0, my = 0.0
    for p in 0..<784 {
      let w = Double(image[p]); m += w; mx += w * Double(p % 28); my += w * Double(p / 28)
    }
    guard m > 0 else { return true }
    mx /= m; my /= m
    var sxx = 0.0, syy = 0.0, sxy = 0.0
    for p in 0..<784 {
      let w = Double(image[p]), dx = Double(p % 28) - mx, dy = Double(p / 28) - my
      sxx += w * dx * dx; syy += w * dy * dy; sxy += w * dx * dy
    }
    let mean = (sxx + syy) / 2, spread = (((sxx - syy) / 2) * ((sxx - syy) / 2) + sxy * sxy).squareRoot()
    return (mean - spread) * 8 < mean + spread
  }

  /// Whether the ink (pixels of 64 or more) encloses background that
  /// cannot reach the border (4-connected): a closed loop.
  static func hasHole(_ image: [UInt8], side: Int) -> Bool {
    var border: [Int] = []
    for i in 0..<side {
      for p in [i, (side - 1) * side + i, i * side, i * side + side - 1] where image[p] < 64 { border.append(p) }
    }
    let outside = reached(width: side, height: side, seeds: border) { image[$0] < 64 }
    var enclosed = 0
    for p in 0..<(side * side) where image[p] < 64 && !outside[p] { enclosed += 1 }
    return enclosed >= 3
  }

  static func unit(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) * 0x1p-53 }
  static func uniform(_ rng: inout SplitMix64, _ low: Double, _ high: Double) -> Double { low + (high - low) * unit(&rng) }
}
