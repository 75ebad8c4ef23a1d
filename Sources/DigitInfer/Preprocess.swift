// dgi_preprocess: from a photo, scan or drawing of any size to the model's
// 28x28 input, the way MNIST was made. One pass from pixels to answer:
//
//   polarity   histogram of the whole image and of its border
//   reduce     to at most 128 px per side, keeping thin strokes (block max)
//   ruling     long thin straight lines (lined, squared paper) found
//   background per-cell paper level (lines left out), subtracted, so grey
//              paper and the lines become 0
//   threshold  Otsu on the background-free ink
//   debris     8-connected components; keep the digit, drop specks/frames
//   fit        crop the kept ink at full resolution, area-average to 20x20
//   strokes    stretch faint contrast, thicken pen-thin strokes
//   centre     translate so the centre of mass is at (14, 14)
//
// Everything is integer arithmetic on caller memory, so every platform gives
// the same bytes. The analysis works on the reduced copy because its memory
// must be bounded whatever the image size; the final resampling reads the
// original pixels, so a small digit in a large frame keeps its detail.

/// The reduced copy that the analysis works on (one reduced pixel covers
/// factor x factor pixels of the image), and where its arrays lie in the
/// caller's scratch. dgi_preprocess and dgi_read_number each choose the
/// factor that bounds their memory.
struct AnalysisLayout {
  /// Background cells are this many reduced pixels on a side.
  static let cellSide = 32

  let factor: Int
  let ww: Int, wh: Int
  let gx: Int, gy: Int  // background cells across and down
  let maxLabels: Int  // provisional labels of an 8-connected raster scan, +1 for "none"
  let histogram: Int  // 256 x UInt32
  let cells: Int      // 2 x gx*gy x UInt8 paper levels
  let paper: Int      // ww*wh x UInt8 paper level under each reduced pixel
  let ink: Int        // ww*wh x UInt8
  let labels: Int     // ww*wh x UInt16
  let parents: Int    // maxLabels x UInt16
  let stats: Int      // maxLabels x ComponentStats
  let ruling: Int     // the ruling step's work memory, over labels..stats (used before them)

  /// Lays the arrays out from offset `o` on, and moves `o` past them.
  init(width: Int, height: Int, factor: Int, _ o: inout Int) {
    self.factor = factor
    ww = (width + factor - 1) / factor
    wh = (height + factor - 1) / factor
    gx = (ww + Self.cellSide - 1) / Self.cellSide
    gy = (wh + Self.cellSide - 1) / Self.cellSide
    // A new label starts only where none of W, NW, N, NE is ink, so labels
    // are at least two pixels apart in both directions.
    maxLabels = ((ww + 1) / 2) * ((wh + 1) / 2) + 1
    histogram = take(&o, 256 * 4)
    cells = take(&o, 2 * gx * gy)
    paper = take(&o, ww * wh)
    ink = take(&o, ww * wh)
    labels = take(&o, ww * wh * 2)
    parents = take(&o, maxLabels * 2)
    stats = take(&o, maxLabels * MemoryLayout<ComponentStats>.stride)
    // The ruling step's mask is read until the background is subtracted,
    // before labelling starts, so it borrows the labelling's memory; only
    // very narrow images need more.
    ruling = labels
    let rulingEnd = ruling + Ruling.workBytes(width: ww, height: wh)
    if rulingEnd > o { o = (rulingEnd + 7) & ~7 }
  }
}

/// Reserves `bytes` at offset `o` (kept 8-aligned) and returns where they start.
func take(_ o: inout Int, _ bytes: Int) -> Int {
  let at = o
  o = (o + bytes + 7) & ~7
  return at
}

/// Where each working array of dgi_preprocess lives in the caller's scratch
/// buffer. The sizes depend only on the reduced image size, which is at
/// most 128x128.
struct PreprocessLayout {
  static let workMax = 128

  let analysis: AnalysisLayout
  let canvas: Int     // 28*28 x UInt32, then the shifted result
  let accumulators: Int  // 20*20 + 20 x UInt64
  let result: Int     // 784 x UInt8, copied out on success
  let size: Int

  init?(width: Int, height: Int) {
    guard width > 0, height > 0, width <= Int(DGI_PREPROCESS_MAX_SIDE), height <= Int(DGI_PREPROCESS_MAX_SIDE)
    else { return nil }
    let side = max(width, height)
    var o = 0
    analysis = AnalysisLayout(
      width: width, height: height, factor: (side + Self.workMax - 1) / Self.workMax, &o)
    canvas = take(&o, FileLayout.inputSize * 4)
    accumulators = take(&o, (20 * 20 + 20) * 8)
    result = take(&o, FileLayout.inputSize)
    size = o
  }
}

/// What the pipeline hands back to the C layer.
struct PreprocessFindings {
  var lightInk = false
  var x = 0, y = 0, width = 0, height = 0
  var paper = 0
  var components = 0
  var dropped = 0
}

/// Runs the whole pipeline. Arguments were checked by the caller; `scratch`
/// holds at least `layout.size` bytes.
// Preprocessing is built for size (docs/PERFORMANCE.md, "Code size"): it
// keeps the library within its size budget with every kernel set in it.
@_optimize(size)
func preprocess(
  _ image: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, flags: UInt32,
  _ layout: PreprocessLayout, _ scratch: UnsafeMutableRawPointer,
  _ out: UnsafeMutablePointer<UInt8>, _ found: inout PreprocessFindings, removeLines: Bool = true
) -> Status {
  let a = layout.analysis
  // 1-6. Polarity, reduction, ruling, background, threshold, components.
  var inkFound = InkAnalysis()
  var components = Components(a, scratch)
  let status = analyse(
    image, width: width, height: height, stride: stride, flags: flags, a, scratch,
    band: max(1, max(a.ww, a.wh) / 16), removeLines: removeLines, &components, &inkFound)
  found.lightInk = inkFound.lightInk
  found.paper = inkFound.paperMedian
  guard status == .ok else { return status }

  // Which of the components are the digit.
  let kept = components.selectDigit()
  guard kept.count > 0 else { return .noInk }
  found.components = kept.count
  found.dropped = components.count - kept.count + inkFound.lines
  let labels = components.labels, flags = components.flags
  markAndDilate(labels, a, cells: Region(x0: 0, x1: a.ww, y0: 0, y1: a.wh)) { labels[$0] != 0 && flags[Int(labels[$0])] != 0 }

  // 7-10. Crop at full resolution, fit, strokes, centre.
  let f = a.factor
  var box = Region(x0: 0, x1: 0, y0: 0, y1: 0)
  let fitted = fitDigit(
    image, stride: stride, a, scratch, inkFound, mask: UnsafePointer(components.labels),
    within: Region(
      x0: max(0, kept.minX - 1) * f, x1: min(width, (kept.maxX + 2) * f),
      y0: max(0, kept.minY - 1) * f, y1: min(height, (kept.maxY + 2) * f)),
    canvas: (scratch + layout.canvas).assumingMemoryBound(to: UInt32.self),
    accumulators: (scratch + layout.accumulators).assumingMemoryBound(to: UInt64.self), out, &box)
  guard fitted == .ok else { return fitted }
  found.x = box.x0; found.y = box.y0; found.width = box.x1 - box.x0; found.height = box.y1 - box.y0
  return .ok
}

/// What `analyse` found about the whole image.
struct InkAnalysis {
  var lightInk = false
  /// The median of the border band, in input units.
  var paperMedian = 0
  /// XOR with an input pixel makes ink high and paper low.
  var flip: UInt8 = 0
  /// Reduced, background-free ink above this is ink.
  var threshold = 0
  /// Ruling lines removed (PreprocessRuling.swift).
  var lines = 0
}

/// Steps 1 to 5, shared by dgi_preprocess and dgi_read_number: polarity,
/// the reduced copy, its background, the threshold, and its components
/// (labelled in `components`, with `band` reduced pixels counted as border).
/// Returns .noInk when nothing stands out from the paper.
@_optimize(size)
func analyse(
  _ image: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, flags: UInt32,
  _ layout: AnalysisLayout, _ scratch: UnsafeMutableRawPointer, band: Int, removeLines: Bool = true,
  _ components: inout Components, _ found: inout InkAnalysis
) -> Status {
  let histogram = (scratch + layout.histogram).assumingMemoryBound(to: UInt32.self)

  // 1. Polarity and paper level. The paper is the majority, both of the
  // whole image and of its border (a band a sixteenth of the image deep):
  // the side of the range's midpoint where most pixels of the two lie
  // together is paper. Either alone fails: digits normalised to fill their
  // frame put much ink in the border, thick ones cover much of the image.
  clear(histogram, 256)
  for y in 0..<height {
    let row = image + y * stride
    for x in 0..<width { histogram[Int(row[x])] &+= 1 }
  }
  // The extremes, not percentiles: a small digit in a large photo is far
  // less than 1% of its pixels.
  var low = 255, high = 0
  for v in 0..<256 where histogram[v] != 0 {
    low = min(low, v)
    high = max(high, v)
  }
  let middle = (low + high) / 2
  var all = 0, allBright = 0
  for v in 0..<256 {
    all += Int(histogram[v])
    if v > middle { allBright += Int(histogram[v]) }
  }
  let edge = max(1, min(width, height) / 16)
  clear(histogram, 256)
  for y in 0..<height {
    let row = image + y * stride
    if y < edge || y >= height - edge {
      for x in 0..<width { histogram[Int(row[x])] &+= 1 }
    } else {
      for x in 0..<min(edge, width) { histogram[Int(row[x])] &+= 1 }
      for x in max(edge, width - edge)..<width { histogram[Int(row[x])] &+= 1 }
    }
  }
  var border = 0, borderBright = 0
  for v in 0..<256 {
    border += Int(histogram[v])
    if v > middle { borderBright += Int(histogram[v]) }
  }
  // brightAll/all + brightBorder/border < 1, in integers (counts < 2^30 each).
  let brightShare = Int64(allBright) * Int64(border) + Int64(borderBright) * Int64(all)
  let light: Bool
  switch flags {
  case DGI_INK_LIGHT: light = true
  case DGI_INK_DARK: light = false
  default: light = brightShare < Int64(all) * Int64(border)
  }
  found.lightInk = light
  found.paperMedian = percentile(histogram, 50)
  // From here on "ink" is high and "paper" low, whatever the polarity.
  let flip: UInt8 = light ? 0 : 255
  found.flip = flip

  // 2. Reduce. A block's maximum ink keeps a one-pixel pen line that an
  // average would wash out; specks it enlarges are dropped as debris later.
  let f = layout.factor, ww = layout.ww, wh = layout.wh
  let ink = (scratch + layout.ink).assumingMemoryBound(to: UInt8.self)
  for wy in 0..<wh {
    for wx in 0..<ww {
      var m: UInt8 = 0
      for y in (wy * f)..<min(height, wy * f + f) {
        let row = image + y * stride
        for x in (wx * f)..<min(width, wx * f + f) { m = max(m, row[x] ^ flip) }
      }
      ink[wy * ww + wx] = m
    }
  }

  // 3. Ruling: the lines of lined and squared paper (PreprocessRuling.swift).
  // `removeLines` is false only in the tests that measure what it changes.
  let onLine = (scratch + layout.ruling).assumingMemoryBound(to: UInt8.self)
  found.lines = findRuling(ink, width: ww, height: wh, work: scratch + layout.ruling, enabled: removeLines)

  // 4. Background. Each cell's paper level is a low percentile of its ink
  // (the paper is most of any cell, once ruling is left out); the minimum
  // over neighbouring cells keeps a cell that a thick stroke fills from
  // calling its ink paper.
  let paper = (scratch + layout.paper).assumingMemoryBound(to: UInt8.self)
  estimatePaper(
    layout, ink, histogram, (scratch + layout.cells).assumingMemoryBound(to: UInt8.self), paper, skipping: onLine)
  for i in 0..<(ww * wh) { ink[i] = ink[i] &- min(ink[i], paper[i]) }
  // Lines become paper, here and, through a paper level no pixel exceeds,
  // in the full-resolution fit.
  for i in 0..<(ww * wh) where onLine[i] != 0 {
    ink[i] = 0
    paper[i] = 255
  }

  // 5. Threshold between paper noise and ink.
  clear(histogram, 256)
  for i in 0..<(ww * wh) { histogram[Int(ink[i])] &+= 1 }
  let strongest = percentile(histogram, 100)
  if strongest < Preprocess.minimumContrast { return .noInk }
  let threshold = max(otsu(histogram), Preprocess.minimumContrast / 2)
  found.threshold = threshold

  // 6. Components.
  components.label(ink, threshold: threshold, band: band)
  return .ok
}

/// Steps 6 to 9, shared by dgi_preprocess and dgi_read_number: crops the
/// ink under `mask` (nonzero on the reduced pixels that belong to the
/// digit, as `markAndDilate` writes it) within `region` of the original
/// image, at full resolution; fits it to 20x20, normalises its strokes and
/// centres it by mass into `out`. `box` receives the exact extent of the
/// ink. Returns .noInk if no ink lies there or it is too thinly spread.
@inline(never) @_optimize(size)
func fitDigit(
  _ image: UnsafePointer<UInt8>, stride: Int, _ layout: AnalysisLayout, _ scratch: UnsafeMutableRawPointer,
  _ found: InkAnalysis, mask: UnsafePointer<UInt16>, within region: Region,
  canvas: UnsafeMutablePointer<UInt32>, accumulators: UnsafeMutablePointer<UInt64>,
  _ out: UnsafeMutablePointer<UInt8>, _ box: inout Region
) -> Status {
  let histogram = (scratch + layout.histogram).assumingMemoryBound(to: UInt32.self)
  let paper = UnsafePointer((scratch + layout.paper).assumingMemoryBound(to: UInt8.self))
  let f = layout.factor, ww = layout.ww, flip = found.flip, threshold = found.threshold
  // 7. Crop at full resolution: the exact extent of the kept ink, and the
  // ink level of the strokes, from the original pixels.
  let floor = threshold / 2
  @inline(__always) func inkAt(_ x: Int, _ y: Int) -> Int {
    let wx = x / f, wy = y / f
    if mask[wy * ww + wx] == 0 { return 0 }
    let r = Int(image[y * stride + x] ^ flip)
    let v = r - Int(paper[wy * ww + wx])
    return v > floor ? v : 0
  }
  clear(histogram, 256)
  var bx0 = region.x1, bx1 = region.x0, by0 = region.y1, by1 = region.y0
  for y in region.y0..<region.y1 {
    for x in region.x0..<region.x1 {
      let v = inkAt(x, y)
      if v > threshold {
        histogram[v] &+= 1
        bx0 = min(bx0, x); bx1 = max(bx1, x + 1)
        by0 = min(by0, y); by1 = max(by1, y + 1)
      }
    }
  }
  guard bx0 < bx1, by0 < by1 else { return .noInk }
  box = Region(x0: bx0, x1: bx1, y0: by0, y1: by1)
  // Stroke cores become full ink, as in MNIST: the median stroke level maps
  // to 255 and the noise floor to 0.
  let strokeLevel = max(percentile(histogram, 50), floor + 1)

  // 8. Fit into 20x20 by area averaging, on a 28x28 canvas.
  fitToBox(
    box, canvas, accumulators,
    ink: { x, y in
      let v = inkAt(x, y)
      return v == 0 ? 0 : UInt64(min(255, (v - floor) * 255 / (strokeLevel - floor)))
    })

  // Ink scattered so thinly over a large box (a sprinkle of specks) that
  // no output pixel reaches one level is not a digit.
  var any: UInt32 = 0
  for i in 0..<FileLayout.inputSize { any |= canvas[i] }
  if any == 0 { return .noInk }

  // 9. Strokes: MNIST's pen was broad; stretch and thicken thin ones.
  normalizeStrokes(canvas, spare: UnsafeMutableRawPointer(accumulators).assumingMemoryBound(to: UInt32.self))

  // 10. Centre of mass to the middle of the frame.
  centre(canvas, out)
  return .ok
}

enum Preprocess {
  /// Ink must stand out from the paper by this much (of 255) to count.
  static let minimumContrast = 32
  /// MNIST's strokes, measured as 2 * mass / total variation on the 28x28
  /// training images: median 1.98 px, 10th to 90th percentile 1.45 to
  /// 2.6 px. Thinner strokes are thickened towards the first width, broader
  /// ones thinned towards the second (in 1/16 px). The pair was chosen on
  /// how well MNIST-trained models read scans at other stroke widths.
  static let targetThickness16 = 30
  static let maximumThickness16 = 44
  /// A component far lighter than the digit's main stroke is a speck:
  /// below this share (percent) of its ink it is dropped.
  static let minimumStrokeShare = 5
  /// A background cell more than this far above its neighbourhood's median
  /// is taken to be filled by ink.
  static let cellOutlier = 64
}

@inline(__always) func clear<T: FixedWidthInteger>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
  for i in 0..<n { p[i] = 0 }
}

/// The smallest value v with at least `percent`% of the counts at or below v.
func percentile(_ histogram: UnsafePointer<UInt32>, _ percent: Int) -> Int {
  var total = 0
  for v in 0..<256 { total += Int(histogram[v]) }
  if total == 0 { return 0 }
  // Int64: total * percent passes 2^31 for large images on 32-bit targets.
  let target = Int((Int64(total) * Int64(percent) + 99) / 100)
  var seen = 0
  for v in 0..<256 {
    seen += Int(histogram[v])
    if seen >= max(target, 1) { return v }
  }
  return 255
}

/// Otsu's threshold: the level that best separates the histogram into two
/// classes (maximal between-class variance). Pixels above it are ink.
func otsu(_ histogram: UnsafePointer<UInt32>) -> Int {
  // Int64 throughout: the sums overflow 32 bits on 32-bit targets.
  var total: Int64 = 0, sum: Int64 = 0
  for v in 0..<256 {
    total += Int64(histogram[v])
    sum += Int64(v) * Int64(histogram[v])
  }
  var best = 0, bestScore: UInt64 = 0
  var n0: Int64 = 0, s0: Int64 = 0
  for t in 0..<255 {
    n0 += Int64(histogram[t])
    s0 += Int64(t) * Int64(histogram[t])
    let n1 = total - n0
    if n0 == 0 || n1 == 0 { continue }
    // Between-class variance is (s1*n0 - s0*n1)^2 / (n0*n1*total^2); the
    // constant total^2 does not change the argmax. |d| < 2^37 for any
    // reduced image, so the two quotients multiply below 2^64.
    let d = ((sum - s0) * n0 - s0 * n1).magnitude
    let score = (d / UInt64(n0)) &* (d / UInt64(n1))
    if score > bestScore {
      bestScore = score
      best = t
    }
  }
  return best
}
