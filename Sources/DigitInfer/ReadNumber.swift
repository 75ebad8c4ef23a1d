// dgi_read_number: the digits of a one-row handwritten number, in reading
// order. The same analysis as dgi_preprocess (Preprocess.swift), on a
// larger reduced copy, then:
//
//   specks     components far lighter or smaller than the line's digits go
//   groups     components sorted left to right; one that overlaps the
//              group before it by half its width joins it (the bar of a 5,
//              the stem of a 4)
//   splits     a group the model is unsure of as one digit, or too wide
//              for one, is also cut into two pieces at every column (or
//              evenly spaced ones), and a very wide one into three; each
//              piece is fitted and classified, and the reading with the
//              highest product of confidences wins (a cut piece read as 1
//              counts 0.9 of its own)
//   fit        each digit exactly as dgi_preprocess fits one (fitDigit)
//
// Everything that decides the answer is integer arithmetic or a comparison
// of the model's probabilities, themselves bit-identical everywhere.

/// How dgi_read_number chooses between readings of a group (chosen on
/// validation digits; docs/NUMBERS.md, "How a group is read").
enum ReadRule {
  /// A group read whole with at least this probability of its digit (in
  /// 1/65536: 0.9) is not cut unless it is very wide.
  static let sureWhole = 58982
  /// At most this many cuts are tried for two pieces (every column in a
  /// narrow group), and this many places for each of three pieces' two cuts
  /// (at most 55 pairs).
  static let cutsTried = 16
  static let cutsTriedForThree = 10
  /// A piece cut off and read as 1 counts this many tenths of its
  /// probability: a cut leaves strokes, and a lone stroke is a sure 1 (an 87
  /// cut into 8 and the 7's stem reads as surely as 8 and 7).
  static let cutOneTenths: Int64 = 9
}

/// Where each working array of dgi_read_number lives in the caller's scratch.
struct ReadLayout {
  /// The reduced copy has at most this many pixels, and this many on a
  /// side: a number is wide, and its digits need more rows than a single
  /// digit's 128 px frame leaves them when the image is a long strip.
  static let workPixels = 32768
  static let workSide = 1024
  /// A group of ink is read as at most this many digits.
  static let maxPieces = 3
  /// The reduced shape within those bounds whose arrays take the most
  /// memory (found by search; Tests/c/test_read_number.c checks it).
  static let largestShape = (width: 992, height: 33)

  let analysis: AnalysisLayout
  let mask: Int          // ww*wh x UInt16: the keep mask of one piece
  let order: Int         // maxLabels x UInt16: components left to right, then group leaders
  let canvas: Int        // 28*28 x UInt32
  let accumulators: Int  // 20*20 + 20 x UInt64
  let pieces: Int        // 2 x maxPieces x ReadPiece: the best reading so far and the one tried
  let pixels: Int        // 2 x maxPieces x 784 x UInt8, the same pieces' model inputs
  let model: Int         // the model's scratch
  let size: Int

  /// The layout for an image, reduced by `factor` or, if nil, by the
  /// smallest factor that fits the bounds; nil if the sizes are out of
  /// range or the factor too small.
  init?(width: Int, height: Int, modelScratch: Int, factor: Int? = nil) {
    let maxSide = Int(DGI_PREPROCESS_MAX_SIDE)
    guard width > 0, height > 0, width <= maxSide, height <= maxSide, modelScratch >= 0 else { return nil }
    // At most 182 steps.
    var f = factor ?? max(1, (max(width, height) + Self.workSide - 1) / Self.workSide)
    guard f >= 1, (max(width, height) + f - 1) / f <= Self.workSide else { return nil }
    while ((width + f - 1) / f) * ((height + f - 1) / f) > Self.workPixels {
      if factor != nil { return nil }
      f += 1
    }
    var o = 0
    analysis = AnalysisLayout(width: width, height: height, factor: f, &o)
    let a = analysis
    mask = take(&o, a.ww * a.wh * 2)
    order = take(&o, a.maxLabels * 2)
    canvas = take(&o, FileLayout.inputSize * 4)
    accumulators = take(&o, (20 * 20 + 20) * 8)
    pieces = take(&o, 2 * Self.maxPieces * MemoryLayout<ReadPiece>.stride)
    pixels = take(&o, 2 * Self.maxPieces * FileLayout.inputSize)
    model = take(&o, 0)
    guard case let (total, overflow) = o.addingReportingOverflow(modelScratch), !overflow else { return nil }
    // An image that is reduced gets room for any reduced shape, so that the
    // number's own extent can be analysed again more finely (readNumber).
    if f > 1, let largest = ReadLayout(
      width: Self.largestShape.width, height: Self.largestShape.height, modelScratch: modelScratch, factor: 1)
    {
      size = max(total, largest.size)
    } else {
      size = total
    }
  }
}

/// One digit candidate: what the model read and its box in the image.
struct ReadPiece {
  var result = dgi_result()
  var box = Region(x0: 0, x1: 0, y0: 0, y1: 0)
}

/// Reads the number. Arguments were checked by the caller; `scratch` holds
/// at least `layout.size` bytes. `emit` receives each digit in reading
/// order, with whether it was cut from a wider group; boxes are moved by
/// `origin`, where this image lies in the caller's. `refine`: whether the
/// number's own extent may be analysed again at a finer reduction.
@_optimize(size)
func readNumber(
  _ image: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, flags: UInt32,
  _ layout: ReadLayout, _ scratch: UnsafeMutableRawPointer, _ m: ModelView,
  origin: (x: Int, y: Int) = (0, 0), refine: Bool = true,
  emit: (UnsafePointer<ReadPiece>, UnsafePointer<UInt8>, Bool) -> Void
) -> Status {
  let a = layout.analysis
  var found = InkAnalysis()
  var components = Components(a, scratch)
  // The border band is a sixteenth of the shorter side: a number fills a
  // strip's height, and a band from its length would cover its digits.
  let status = analyse(
    image, width: width, height: height, stride: stride, flags: flags, a, scratch,
    band: max(1, min(a.ww, a.wh) / 16), &components, &found)
  guard status == .ok else { return status }
  let n = components.count
  guard n > 0 else { return .noInk }
  let stats = components.stats, labels = components.labels, group = components.flags
  let order = (scratch + layout.order).assumingMemoryBound(to: UInt16.self)
  @inline(__always) func tall(_ c: Int) -> Int { Int(stats[c].maxY) - Int(stats[c].minY) + 1 }
  @inline(__always) func wide(_ c: Int) -> Int { Int(stats[c].maxX) - Int(stats[c].minX) + 1 }

  // 1. The line's height: that of its tallest component of substantial ink.
  var heaviest = 0
  for c in 1...n where !components.alongBorder(c) { heaviest = max(heaviest, Int(stats[c].mass)) }
  guard heaviest > 0 else { return .noInk }
  var tallest = 1
  for c in 1...n where !components.alongBorder(c) && Int(stats[c].mass) * 4 >= heaviest {
    tallest = max(tallest, tall(c))
  }
  let lineHeight = tallest

  // 2. Specks: light against the heaviest stroke, or small against the line.
  var kept = 0
  for c in 1...n where !components.alongBorder(c) {
    guard Int(stats[c].mass) * 100 >= heaviest * Preprocess.minimumStrokeShare,
      max(wide(c), tall(c)) * 4 >= lineHeight
    else { continue }
    order[kept] = UInt16(c)
    kept += 1
  }
  guard kept > 0 else { return .noInk }

  // A number small in a large image (a photo) was found on a coarse copy:
  // its own extent, with a margin, is analysed again as finely as the
  // scratch allows, with the polarity found here.
  if refine && a.factor > 1 {
    var bx0 = Int.max, bx1 = 0, by0 = Int.max, by1 = 0
    for j in 0..<kept {
      let c = Int(order[j])
      bx0 = min(bx0, Int(stats[c].minX)); bx1 = max(bx1, Int(stats[c].maxX) + 1)
      by0 = min(by0, Int(stats[c].minY)); by1 = max(by1, Int(stats[c].maxY) + 1)
    }
    let f = a.factor, margin = lineHeight / 2 + 1
    let x0 = max(0, bx0 - margin) * f, x1 = min(width, (bx1 + margin) * f)
    let y0 = max(0, by0 - margin) * f, y1 = min(height, (by1 + margin) * f)
    for finer in 1..<f {
      guard
        let inner = ReadLayout(
          width: x1 - x0, height: y1 - y0, modelScratch: Int(m.state.scratchSize), factor: finer),
        inner.size <= layout.size
      else { continue }
      return readNumber(
        image + y0 * stride + x0, width: x1 - x0, height: y1 - y0, stride: stride,
        flags: found.lightInk ? DGI_INK_LIGHT : DGI_INK_DARK, inner, scratch, m,
        origin: (origin.x + x0, origin.y + y0), refine: false, emit: emit)
    }
  }
  sortByLeftEdge(order, kept, stats)

  // 3. Groups: a component overlapping the group before it by half the
  // narrower one's width is another stroke of the same digit. The group's
  // box grows in its first component's record, and order[] becomes the
  // list of these leaders; group[c] is the leader of component c.
  var groups = 0
  for j in 0..<kept {
    let c = Int(order[j])
    if groups > 0 {
      let g = Int(order[groups - 1])
      let overlap = min(Int(stats[g].maxX), Int(stats[c].maxX)) - max(Int(stats[g].minX), Int(stats[c].minX)) + 1
      if overlap * 2 >= min(wide(g), wide(c)) {
        stats[g].minX = min(stats[g].minX, stats[c].minX)
        stats[g].maxX = max(stats[g].maxX, stats[c].maxX)
        stats[g].minY = min(stats[g].minY, stats[c].minY)
        stats[g].maxY = max(stats[g].maxY, stats[c].maxY)
        group[c] = UInt16(g)
        continue
      }
    }
    order[groups] = UInt16(c)
    group[c] = UInt16(c)
    groups += 1
  }

  // Short groups (under 2/5 of the line: the bar of a 5 written apart, a
  // dash, a broken-off stroke end) join the neighbour nearer to them when
  // it is close and of full height; far from any, they are not digits.
  @inline(__always) func short(_ c: Int) -> Bool { tall(c) * 5 < lineHeight * 2 }
  var leaders = 0
  for j in 0..<groups {
    let c = Int(order[j])
    guard short(c) else {
      order[leaders] = UInt16(c)
      leaders += 1
      continue
    }
    let left = leaders > 0 ? Int(order[leaders - 1]) : 0
    let right = j + 1 < groups && !short(Int(order[j + 1])) ? Int(order[j + 1]) : 0
    let gapLeft = left == 0 ? Int.max : Int(stats[c].minX) - Int(stats[left].maxX)
    let gapRight = right == 0 ? Int.max : Int(stats[right].minX) - Int(stats[c].maxX)
    let into = gapLeft <= gapRight ? left : right
    if into == 0 || min(gapLeft, gapRight) * 2 > lineHeight { continue }
    stats[into].minX = min(stats[into].minX, stats[c].minX)
    stats[into].maxX = max(stats[into].maxX, stats[c].maxX)
    stats[into].minY = min(stats[into].minY, stats[c].minY)
    stats[into].maxY = max(stats[into].maxY, stats[c].maxY)
    group[c] = UInt16(into)  // a leader's own entry now names its new leader
  }
  groups = leaders
  // Full-height leaders name themselves, so one step resolves every member.
  for c in 1...n where group[c] != 0 { group[c] = group[Int(group[c])] }

  // 4. Each group as one digit, or cut into two or three.
  let set = KernelSet(rawValue: m.state.kernels) ?? .reference
  let modelScratch = scratch + layout.model
  prepare(m, modelScratch, set)
  // (Trivial records: written before they are read, never initialised.)
  let pieces = (scratch + layout.pieces).bindMemory(to: ReadPiece.self, capacity: 2 * ReadLayout.maxPieces)
  let pixels = (scratch + layout.pixels).assumingMemoryBound(to: UInt8.self)
  let mask = (scratch + layout.mask).assumingMemoryBound(to: UInt16.self)
  let ww = a.ww, f = a.factor
  // Whether anything was read, and whether the model refused a reading.
  var emitted = false, refused = false

  for gi in 0..<groups {
    let g = Int(order[gi])
    let x0 = Int(stats[g].minX), x1 = Int(stats[g].maxX) + 1, y0 = Int(stats[g].minY), y1 = Int(stats[g].maxY) + 1
    let w = x1 - x0, h = y1 - y0
    @inline(__always) func inGroup(_ i: Int) -> Bool { labels[i] != 0 && group[Int(labels[i])] == UInt16(g) }

    /// Reads the group cut at `cuts` (reduced columns, ascending, strictly
    /// inside) into bank `bank`; returns the product of the pieces' digit
    /// probabilities in 1/65536, or -1 if a piece holds no ink. (Out of
    /// line: inlined into each call it would cost kilobytes of library.)
    @inline(never) func attempt(_ cuts: (Int, Int), _ k: Int, bank: Int) -> Int {
      var score = 65536
      for p in 0..<k {
        let ca = p == 0 ? x0 : (p == 1 ? cuts.0 : cuts.1)
        let cb = p == k - 1 ? x1 : (p == 0 ? cuts.0 : cuts.1)
        guard ca < cb else { return -1 }
        // The piece's box, one reduced pixel wider where it is not cut.
        let region = Region(
          x0: (p == 0 ? max(0, ca - 1) : ca) * f, x1: min(width, (p == k - 1 ? cb + 1 : cb) * f),
          y0: max(0, y0 - 1) * f, y1: min(height, (y1 + 1) * f))
        // Its mask, only where fitDigit reads it (the region's reduced
        // pixels) and one reduced pixel around (a group's many cuts would
        // otherwise each cost a pass over the whole reduced copy).
        markAndDilate(mask, a, cells: Region(x0: ca - 2, x1: cb + 2, y0: y0 - 2, y1: y1 + 2)) { i in
          let x = i % ww
          return x >= ca && x < cb && inGroup(i)
        }
        let slot = bank * ReadLayout.maxPieces + p
        let out = pixels + slot * FileLayout.inputSize
        var box = Region(x0: 0, x1: 0, y0: 0, y1: 0)
        guard
          fitDigit(
            image, stride: stride, a, scratch, found, mask: UnsafePointer(mask), within: region,
            canvas: (scratch + layout.canvas).assumingMemoryBound(to: UInt32.self),
            accumulators: (scratch + layout.accumulators).assumingMemoryBound(to: UInt64.self), out, &box) == .ok
        else { return -1 }
        // A cut that leaves a piece under half the group's height took a
        // stroke's end, not a digit.
        if k > 1 && (box.y1 - box.y0) * 2 < h * f { return -1 }
        let result = classification(m, run(m, UnsafePointer(out), modelScratch, set))
        pieces[slot] = ReadPiece(result: result, box: box)
        // In 64 bits: 65536 * 65536 overflows a 32-bit Int (wasm32, Cortex-M).
        let p = Int64(bestDigitProbability(result)) * (k > 1 && result.digit == 1 ? ReadRule.cutOneTenths : 10) / 10
        score = Int((Int64(score) * p) >> 16)
      }
      return score
    }

    // Whole, first. Cut only a group the model is not sure of as one digit
    // (a merged pair is mostly read as "not a digit" or a weak digit) and
    // at least half as wide as the line is tall, or one much wider than
    // that: a confident single digit cut in two often gives two confident
    // pieces (a 4 as 9 and 1), and an uncertain narrow one is rarely two.
    var best = attempt((0, 0), 1, bank: 0), bestK = 1, bank = 0
    if best < 0 { continue }
    let minPiece = max(1, h / 5)
    let low = x0 + minPiece, high = x1 - minPiece + 1
    if (best < ReadRule.sureWhole && w * 2 > lineHeight || w * 10 > lineHeight * 12) && high > low {
      @inline(never) func consider(_ cuts: (Int, Int), _ k: Int) {
        let s = attempt(cuts, k, bank: 1 - bank)
        if s > best {
          best = s
          bestK = k
          bank = 1 - bank
        }
      }
      // Two pieces: every cut, or evenly spaced ones in a wide group.
      // (high > low: both steps are at least 1.)
      let step = (high - low + ReadRule.cutsTried - 1) / ReadRule.cutsTried
      var c = low
      while c < high {
        consider((c, 0), 2)
        c += step
      }
      // Three, only in a group wide enough for three digits: pairs of cuts
      // on a coarser grid (a cut kept from the best two pieces misses
      // where a chain of three is best cut).
      if w * 10 > lineHeight * 14 {
        let step3 = (high - low + ReadRule.cutsTriedForThree - 1) / ReadRule.cutsTriedForThree
        var c1 = low
        while c1 < high {
          var c2 = c1 + minPiece
          while c2 < high {
            consider((c1, c2), 3)
            c2 += step3
          }
          c1 += step3
        }
      }
    }

    // 5. The reading kept; what the model calls not a digit is dropped.
    for p in 0..<bestK {
      let slot = bank * ReadLayout.maxPieces + p
      if pieces[slot].result.digit < 0 {
        refused = true
        continue
      }
      emitted = true
      pieces[slot].box.x0 += origin.x; pieces[slot].box.x1 += origin.x
      pieces[slot].box.y0 += origin.y; pieces[slot].box.y1 += origin.y
      emit(UnsafePointer(pieces + slot), UnsafePointer(pixels + slot * FileLayout.inputSize), bestK > 1)
    }
  }
  // Groups whose ink fitDigit found too thin are not digits either, but
  // only the model's refusal makes the ink "not a digit".
  return emitted ? .ok : (refused ? .notADigit : .noInk)
}

/// The probability of the most probable digit (0 to 9), in 1/65536: the
/// model's confidence that the piece is a digit at all and which. Float to
/// integer conversion of a bit-identical float is itself exact everywhere.
func bestDigitProbability(_ result: dgi_result) -> Int {
  withUnsafeBytes(of: result.probabilities) { raw in
    var best: Float = 0
    for d in 0..<10 { best = max(best, raw.load(fromByteOffset: 4 * d, as: Float.self)) }
    return Int(best * 65536)
  }
}

/// Sorts component numbers by their left edge (then by number, so the
/// order is total): a Shell sort, in place, allocating nothing.
func sortByLeftEdge(_ order: UnsafeMutablePointer<UInt16>, _ count: Int, _ stats: UnsafePointer<ComponentStats>) {
  @inline(__always) func before(_ a: UInt16, _ b: UInt16) -> Bool {
    let xa = stats[Int(a)].minX, xb = stats[Int(b)].minX
    return xa < xb || (xa == xb && a < b)
  }
  var gap = count / 2
  while gap > 0 {
    for i in gap..<count {
      let v = order[i]
      var j = i
      while j >= gap && before(v, order[j - gap]) {
        order[j] = order[j - gap]
        j -= gap
      }
      order[j] = v
    }
    gap = gap == 2 ? 1 : gap * 5 / 11
  }
}
