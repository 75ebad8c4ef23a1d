// The ruling step of dgi_preprocess, on the reduced image: the lines of
// ruled and squared paper, a notebook's margin line, the boxes of a form.
// To every later step they would be ink like the digit's: a grid is one
// huge component (read as an 8), a rule through a 3 closes its loops. And
// on squared paper they cover so much of the page that the background
// estimate takes them for paper, then finds them again in pieces.
//
// A line is a straight path, horizontal or vertical give or take a few
// degrees (a photo is rarely square), that is a thin ridge of ink (darker
// than the paper a few pixels to either side) along most of the image's
// width (or height), reaching both of its ends. A digit's stroke is not all
// of these: a 1 or the bar of a 7 is shorter than the frame around it, and
// one drawn edge to edge on a canvas is a single stroke, while ruling comes
// in families: lines go only when at least two parallel ones are found.
// Where a stroke crosses a line (ink on both sides of it) the crossing
// stays: the digit keeps its shape and only the line between strokes goes.
//
// The step runs before the background estimate, which then skips the
// lines' pixels, and the pipeline makes them paper (ink 0) afterwards.

enum Ruling {
  /// Images whose reduced copy is smaller than this on a side are left
  /// alone: at that size a digit fills its frame (Semeion's 16x16,
  /// optdigits' 32x32, MNIST's 28x28), and the bars of a 2, 3, 5 or 7 cross
  /// it edge to edge in parallel pairs, exactly like rules. Ruled paper with
  /// two rules and a digit between them needs more pixels than this.
  static let minimumSide = 40
  /// A line is a ridge along at least this share (in 1/16) of its path,
  /// not counting where lines of the other direction cross it: rules
  /// cross the whole image, but a large digit hides up to about 40% of one. (A digit's stroke that long within its frame would also
  /// have to reach both ends of the path, and have a parallel partner.)
  static let coverage16 = 9
  /// Next to a line's core, paths along at least this share are its soft
  /// edge (in 1/16).
  static let edge16 = 6
  /// Its path has ink within this share (in 1/16) of each end.
  static let end16 = 2
  /// Paths drift across by up to this share (in 1/16) of their length,
  /// 3.6 degrees, in steps of half a pixel.
  static let drift16 = 1
  /// Lines shorter than this (reduced pixels) are not looked for: in a
  /// tiny image every stroke spans it.
  static let minimumLength = 16
  /// At most this thick, in reduced pixels or 1/24 of the image.
  static let thinnest = 2
  static let thicknessDivisor = 24
  /// A line pixel is darker than the paper this many pixels away on both
  /// sides (the farther of the two that still sees paper): lines up to 3
  /// reduced pixels thick, squares down to 5 apart.
  static let ridgeReach = 2...3
  /// ...by at least this much (of 255).
  static let ridgeContrast = Preprocess.minimumContrast / 2

  /// Bytes of work memory `findRuling` needs for a width x height image.
  static func workBytes(width: Int, height: Int) -> Int {
    3 * ((width * height + 7) & ~7) + Counters.count(max(width, height)) * 4 * 4
  }

  /// Per path offset at one slope: how many ridge pixels lie on it, their
  /// summed contrast, which ends have some (bit 0: the start, bit 1: the
  /// end), and how many pixels are where lines of the other direction
  /// cross it.
  struct Counters {
    let covered: UnsafeMutablePointer<UInt32>
    let sum: UnsafeMutablePointer<UInt32>
    let ends: UnsafeMutablePointer<UInt32>
    let crossed: UnsafeMutablePointer<UInt32>

    /// Offsets run from -drift to across + drift.
    static func count(_ side: Int) -> Int { side + 2 * (side * Ruling.drift16 / 16) + 1 }

    init(_ base: UnsafeMutablePointer<UInt32>, _ side: Int) {
      let n = Counters.count(side)
      covered = base
      sum = base + n
      ends = base + 2 * n
      crossed = base + 3 * n
    }
  }
}

/// Finds ruling and grid lines in `ink` (a width x height reduced image,
/// ink high, background not yet subtracted). `work` holds at least
/// `Ruling.workBytes(width:height:)` bytes, any content; its first
/// width x height bytes are left as the lines' mask: not 0 on a line's
/// pixels, 0 elsewhere (all 0 when fewer than two parallel lines were
/// found, or when not `enabled`: for the tests that measure the step).
/// Returns the number of lines. `ink` is only read.
@_optimize(size)
func findRuling(
  _ ink: UnsafePointer<UInt8>, width: Int, height: Int, work: UnsafeMutableRawPointer, enabled: Bool = true
) -> Int {
  let pixels = width * height
  let rounded = (pixels + 7) & ~7
  let marks = work.assumingMemoryBound(to: UInt8.self)
  let ridgeY = (work + rounded).assumingMemoryBound(to: UInt8.self)
  let ridgeX = (work + 2 * rounded).assumingMemoryBound(to: UInt8.self)
  let counters = Ruling.Counters((work + 3 * rounded).assumingMemoryBound(to: UInt32.self), max(width, height))
  clear(marks, pixels)
  if !enabled || min(width, height) < Ruling.minimumSide { return 0 }
  // How much darker each pixel is than the paper above and below it (a
  // horizontal line's pixels), and left and right of it (a vertical one's).
  ridges(ink, ridgeY, along: width, step: 1, across: height, jump: width)
  ridges(ink, ridgeX, along: height, step: width, across: width, jump: 1)
  // Horizontal lines run along x (step 1) and sit at a y (jump width);
  // vertical ones the other way round.
  let rows = findLines(ink, ridgeY, ridgeX, marks, along: width, step: 1, across: height, jump: width, counters)
  let columns = findLines(ink, ridgeX, ridgeY, marks, along: height, step: width, across: width, jump: 1, counters)
  if rows < 2 && columns < 2 {
    clear(marks, pixels)
    return 0
  }
  // Where lines cross, each kept the other's pixel as a stroke crossing
  // it, and a tilted line's steps can leave a pixel beside its path: dark
  // specks next to a line with at most one dark neighbour of their own.
  // (A digit's stroke has more; marked in one pass, so none cascades.
  // The image's outermost pixels are left to the debris step.)
  for y in 1..<max(1, height - 1) {
    for x in 1..<max(1, width - 1) where marks[y * width + x] == 0 {
      let i = y * width + x, dark = Int(ink[i]) - Ruling.ridgeContrast
      var line = false, strokes = 0  // counting the pixel itself
      for dy in -1...1 {
        for k in (i + dy * width - 1)...(i + dy * width + 1) {
          if marks[k] == 1 { line = true } else if Int(ink[k]) >= dark { strokes += 1 }
        }
      }
      if line && strokes <= 2 { marks[i] = 2 }
    }
  }
  return rows + columns
}

/// For lines running along `n` pixels (index step `step`), how much darker
/// than the pixels `Ruling.ridgeReach` away across (index step `jump`) on
/// both sides each pixel is; near the edge, than the one side there is.
@_optimize(size)
private func ridges(
  _ ink: UnsafePointer<UInt8>, _ ridge: UnsafeMutablePointer<UInt8>, along n: Int, step: Int, across m: Int, jump: Int
) {
  for i in 0..<n {
    for j in 0..<m {
      let at = i * step + j * jump
      var best = 0
      for r in Ruling.ridgeReach where r < m {
        let a = j >= r ? Int(ink[at - r * jump]) : 0, b = j + r < m ? Int(ink[at + r * jump]) : 0
        best = max(best, Int(ink[at]) - max(a, b))
      }
      ridge[at] = UInt8(best)
    }
  }
}

/// Marks in `marks` the pixels of lines running along `n` pixels (index
/// step `step`) at positions 0..<m across (index step `jump`). Returns how
/// many lines it found at the slope where it found most.
@_optimize(size)
private func findLines(
  _ ink: UnsafePointer<UInt8>, _ ridge: UnsafePointer<UInt8>, _ crossing: UnsafePointer<UInt8>,
  _ marks: UnsafeMutablePointer<UInt8>,
  along n: Int, step: Int, across m: Int, jump: Int, _ c: Ruling.Counters
) -> Int {
  if n < Ruling.minimumLength || m < 1 { return 0 }
  let drift = n * Ruling.drift16 / 16
  let offsets = m + 2 * drift
  let need = n * Ruling.coverage16 / 16, edge = n * Ruling.edge16 / 16
  let endLength = max(1, n * Ruling.end16 / 16)
  let thickest = max(Ruling.thinnest, m / Ruling.thicknessDivisor)
  var most = 0
  for d in -2 * drift...2 * drift {
    // The path at offset o runs through o + shift(i) - drift across at i
    // along, round(d * i / 2n): from o to o + d/2.
    func shift(_ i: Int) -> Int { floorDiv(d * i + n, 2 * n) }
    clear(c.covered, 4 * Ruling.Counters.count(max(n, m)))
    for i in 0..<n {
      let s = shift(i) - drift
      for j in 0..<m {
        let v = Int(ridge[i * step + j * jump])
        if v <= Ruling.ridgeContrast {
          // On a line of the other direction: neither for nor against.
          if Int(crossing[i * step + j * jump]) > Ruling.ridgeContrast { c.crossed[j - s] += 1 }
          continue
        }
        let o = j - s
        c.covered[o] += 1
        c.sum[o] += UInt32(v)
        c.ends[o] |= (i < endLength ? 1 : 0) | (i >= n - endLength ? 2 : 0)
      }
    }
    // 2: a line's core; 1: its soft edge.
    func kind(_ o: Int) -> Int {
      if o < 0 || o >= offsets { return 0 }
      let covered = Int(c.covered[o]) * n, open = max(1, n - Int(c.crossed[o]))
      if covered >= need * open && covered >= n * n / 2 && c.ends[o] == 3 { return 2 }
      return covered >= edge * open ? 1 : 0
    }
    var lines = 0, total = 0
    for k in 0..<offsets { total += Int(c.covered[k]) }
    var o = 0
    while o < offsets {
      if kind(o) != 2 {
        o += 1
        continue
      }
      var hi = o, fullest = o
      while kind(hi + 1) == 2 {
        hi += 1
        if c.covered[hi] > c.covered[fullest] { fullest = hi }
      }
      let core = o
      o = hi + 1
      if hi - core + 1 > thickest { continue }  // a band of ink, not a line
      // A line stands out from the other paths: in noise (or a texture)
      // every path is about as covered, on paper most are nearly empty.
      if Int(c.covered[fullest]) * offsets < 2 * total { continue }
      let contrast = Int(c.sum[fullest]) / Int(c.covered[fullest])
      let lo = kind(core - 1) == 1 ? core - 1 : core, top = kind(hi + 1) == 1 ? hi + 1 : hi
      lines += 1
      for i in 0..<n {
        let s = shift(i) - drift
        let j0 = max(0, lo + s), j1 = min(m - 1, top + s)
        if j0 > j1 { continue }
        // A stroke crossing the line is ink on both sides of it, nearly
        // as dark as the line there; one
        // running along it (the bar of a 7 on a rule) is at least two
        // pixels of such ink on one side. Marked pixels are line, not stroke.
        var peak = 0
        for j in j0...j1 { peak = max(peak, Int(ink[i * step + j * jump])) }
        let dark = peak * 3 - contrast * 2
        func stroke(_ j: Int) -> Bool {
          if j < 0 || j >= m { return false }
          let at = i * step + j * jump
          return marks[at] == 0 && Int(ink[at]) * 3 >= dark
        }
        let before = lo + s - 1, after = top + s + 1
        let above = stroke(before), below = stroke(after)
        if above && (below || stroke(before - 1)) || below && stroke(after + 1) { continue }
        for j in j0...j1 where ridge[i * step + j * jump] > 0 || crossing[i * step + j * jump] > 0 {
          marks[i * step + j * jump] = 1
        }
      }
    }
    most = max(most, lines)
  }
  return most
}
