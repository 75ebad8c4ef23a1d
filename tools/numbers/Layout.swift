/// Digits set side by side on a line: each one's place, and which
/// neighbours touch. Spacing is measured on the ink, row by row, not
/// between boxes: a 7's roof may reach over the next digit without touching
/// it, as in real writing, and "touching" means that ink meets ink.
struct Layout {
  struct Placed {
    let glyph: Glyph
    /// Top-left corner of the glyph's box on the canvas.
    var x: Int
    var y: Int

    func isInk(_ cx: Int, _ cy: Int) -> Bool { glyph.isInk(cx - x, cy - y) }

    /// The ink's box on the canvas.
    var box: (x: Int, y: Int, width: Int, height: Int) {
      let b = glyph.inkBox
      return (x + b.x, y + b.y, b.width, b.height)
    }
  }

  /// How far a digit sits from the one before.
  enum Gap: Equatable {
    /// Ink at least this many columns from any ink before it (>= 2: a
    /// blank column between, so that no two ink pixels are neighbours).
    case apart(Int)
    /// Ink reaching this many pixels into the previous digit's ink.
    case touching(overlap: Int)
  }

  /// The narrowest `apart` gap: two blank columns between the inks, so
  /// that a slight blur does not join them.
  static let narrowestGap = 3

  private(set) var digits: [Placed] = []
  private(set) var width = 0
  private(set) var height = 0

  /// Lays out `glyphs` from left to right: glyph i+1 after glyph i at
  /// `gaps[i]`, its bottom on a baseline falling `slope` pixels per pixel
  /// to the right, moved down by `drop[i]` pixels (baseline jitter), with
  /// `margin` pixels of paper round the whole (left, top, right, bottom).
  /// A touching gap that cannot be had without also touching an earlier
  /// digit (a narrow 1 between) becomes the narrowest `apart` gap.
  init(glyphs: [Glyph], gaps: [Gap], slope: Double, drop: [Double], margin: (Int, Int, Int, Int)) {
    precondition(gaps.count == max(0, glyphs.count - 1) && drop.count == glyphs.count)
    for (i, glyph) in glyphs.enumerated() {
      let previousEnd = digits.last.map { Double($0.x + $0.glyph.width) } ?? 0
      let bottom = slope * previousEnd + drop[i]
      let y = Int(bottom.rounded()) - glyph.height
      guard i > 0 else {
        digits.append(Placed(glyph: glyph, x: 0, y: y))
        continue
      }
      switch gaps[i - 1] {
      case .apart(let gap):
        digits.append(Self.place(glyph, y: y, after: digits, gap: gap))
      case .touching(let overlap):
        digits.append(touching(glyph, y: y, overlap: overlap) ?? Self.place(glyph, y: y, after: digits, gap: Self.narrowestGap))
      }
    }
    // Shift everything so that the ink's extent starts at the margins.
    guard !digits.isEmpty else { return }
    let left = digits.map(\.x).min()!, top = digits.map(\.y).min()!
    let right = digits.map { $0.x + $0.glyph.width }.max()!, bottom = digits.map { $0.y + $0.glyph.height }.max()!
    for i in digits.indices {
      digits[i].x += margin.0 - left
      digits[i].y += margin.1 - top
    }
    width = right - left + margin.0 + margin.2
    height = bottom - top + margin.1 + margin.3
  }

  /// `glyph` on row `y`, as far left as it goes with its ink at least `gap`
  /// columns from the ink of `others` on its own and the neighbouring rows.
  private static func place(_ glyph: Glyph, y: Int, after others: [Placed], gap: Int) -> Placed {
    var x = Int.min
    let otherRows = others.map { ($0, $0.glyph.rowExtents) }
    for (row, extent) in glyph.rowExtents.enumerated() {
      guard let extent else { continue }
      let cy = y + row
      for (other, rows) in otherRows {
        for oy in cy - 1...cy + 1 {
          let r = oy - other.y
          guard r >= 0, r < rows.count, let o = rows[r] else { continue }
          x = max(x, other.x + o.right - extent.left + gap)
        }
      }
    }
    if x == Int.min {  // No row in common: side by side by their boxes.
      x = others.map { $0.x + $0.glyph.width }.max()! + gap
    }
    return Placed(glyph: glyph, x: x, y: y)
  }

  /// `glyph` overlapping the last digit's ink by about `overlap` pixels and
  /// touching it, but no digit before that; nil if that cannot be had.
  private func touching(_ glyph: Glyph, y: Int, overlap: Int) -> Placed? {
    guard let last = digits.last else { return nil }
    var candidate = Self.place(glyph, y: y, after: [last], gap: 1 - overlap)
    // Against the last digit alone, gap 1 - overlap already makes ink
    // neighbours; step further in if the rows that meet are too sparse.
    for _ in 0...(2 * overlap + 4) {
      if Self.touch(candidate, last) { break }
      candidate.x -= 1
    }
    guard Self.touch(candidate, last), !digits.dropLast().contains(where: { Self.touch(candidate, $0) }) else { return nil }
    return candidate
  }

  /// Whether an ink pixel of `a` is an ink pixel of `b` or one of its eight neighbours.
  static func touch(_ a: Placed, _ b: Placed) -> Bool {
    let ax1 = a.x + a.glyph.width, ay1 = a.y + a.glyph.height
    let bx1 = b.x + b.glyph.width, by1 = b.y + b.glyph.height
    let x0 = max(a.x, b.x - 1), x1 = min(ax1, bx1 + 1)
    let y0 = max(a.y, b.y - 1), y1 = min(ay1, by1 + 1)
    guard x0 < x1, y0 < y1 else { return false }
    for cy in y0..<y1 {
      for cx in x0..<x1 where a.isInk(cx, cy) {
        for dy in -1...1 {
          for dx in -1...1 where b.isInk(cx + dx, cy + dy) { return true }
        }
      }
    }
    return false
  }

  /// Whether digit i's ink touches digit i+1's, for each neighbouring pair.
  var touchingPairs: [Bool] {
    digits.indices.dropLast().map { Self.touch(digits[$0], digits[$0 + 1]) }
  }

  /// The ink of all digits on the canvas: the most any of them lays on each pixel.
  func inkLayer() -> [Float] {
    var ink = [Float](repeating: 0, count: width * height)
    for d in digits {
      for gy in 0..<d.glyph.height {
        for gx in 0..<d.glyph.width {
          let i = (d.y + gy) * width + d.x + gx
          ink[i] = max(ink[i], d.glyph.ink[gy * d.glyph.width + gx])
        }
      }
    }
    return ink
  }
}
