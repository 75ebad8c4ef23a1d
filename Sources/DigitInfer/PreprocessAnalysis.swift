// The analysis half of dgi_preprocess, on the reduced image: the paper
// level under every pixel, and the connected components of the ink.

/// Fills `paper` with the paper level under each reduced pixel. The image
/// is cut into cells of `cellSide` pixels; a cell's level is the 30th
/// percentile of its values (paper is most of any cell), unless it stands
/// out from its neighbourhood. Between cell centres the level is bilinear,
/// so a lighting gradient is followed smoothly. Pixels where `skipping`
/// is not 0 (ruling lines) are left out of the cells' percentiles.
@_optimize(size)
func estimatePaper(
  _ layout: AnalysisLayout, _ values: UnsafePointer<UInt8>, _ histogram: UnsafeMutablePointer<UInt32>,
  _ cells: UnsafeMutablePointer<UInt8>, _ paper: UnsafeMutablePointer<UInt8>, skipping: UnsafePointer<UInt8>
) {
  let ww = layout.ww, wh = layout.wh, side = AnalysisLayout.cellSide
  let gx = layout.gx, gy = layout.gy
  let raw = cells, level = cells + gx * gy
  for cy in 0..<gy {
    for cx in 0..<gx {
      clear(histogram, 256)
      for y in (cy * side)..<min(wh, cy * side + side) {
        for x in (cx * side)..<min(ww, cx * side + side) where skipping[y * ww + x] == 0 {
          histogram[Int(values[y * ww + x])] &+= 1
        }
      }
      raw[cy * gx + cx] = UInt8(percentile(histogram, 30))
    }
  }
  for cy in 0..<gy {
    for cx in 0..<gx {
      // A cell that a thick stroke fills reads far more ink-like than its
      // neighbourhood's median, and takes the median instead. Other cells
      // keep their own level, so a lighting gradient is followed up to the
      // image's edge (a median or minimum there would lag behind it).
      let ys = max(0, cy - 1)...min(gy - 1, cy + 1), xs = max(0, cx - 1)...min(gx - 1, cx + 1)
      let half = (ys.count * xs.count + 1) / 2
      var median: UInt8 = 255
      for vy in ys {
        for vx in xs {
          let v = raw[vy * gx + vx]
          var atOrBelow = 0
          for ny in ys { for nx in xs where raw[ny * gx + nx] <= v { atOrBelow += 1 } }
          if atOrBelow >= half { median = min(median, v) }
        }
      }
      let own = raw[cy * gx + cx]
      level[cy * gx + cx] = Int(own) > Int(median) + Preprocess.cellOutlier ? median : own
    }
  }
  // Bilinear weights in 1/256 between the centres of the cells around a pixel.
  @inline(__always) func axis(_ p: Int, _ count: Int, _ extent: Int) -> (Int, Int, Int) {
    @inline(__always) func centre(_ i: Int) -> Int { (i * side + min(extent, i * side + side)) / 2 }
    if count == 1 || p <= centre(0) { return (0, 0, 0) }
    if p >= centre(count - 1) { return (count - 1, count - 1, 0) }
    var i = 0
    while p >= centre(i + 1) { i += 1 }
    return (i, i + 1, (p - centre(i)) * 256 / (centre(i + 1) - centre(i)))
  }
  for y in 0..<wh {
    let (r0, r1, ty) = axis(y, gy, wh)
    for x in 0..<ww {
      let (c0, c1, tx) = axis(x, gx, ww)
      let top = Int(level[r0 * gx + c0]) * (256 - tx) + Int(level[r0 * gx + c1]) * tx
      let bottom = Int(level[r1 * gx + c0]) * (256 - tx) + Int(level[r1 * gx + c1]) * tx
      paper[y * ww + x] = UInt8((top * (256 - ty) + bottom * ty + 32768) >> 16)
    }
  }
}

/// One connected component of ink pixels (8-connected) in the reduced image.
/// Reduced images have at most 32768 pixels and 1024 per side
/// (ReadLayout), so counts and coordinates fit 16 bits; 16 bytes a record
/// keeps the table small.
struct ComponentStats {
  var mass: UInt32        // sum of ink levels
  var area: UInt16
  var border: UInt16      // pixels within the border band
  var minX: UInt16, minY: UInt16, maxX: UInt16, maxY: UInt16
}

/// The union of the components kept as the digit.
struct KeptInk {
  var count = 0
  var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
}

/// Two-pass connected-component labelling with union-find, in scratch.
/// `labels` holds a component number (1...count) per reduced pixel, 0 for
/// paper; `stats` one record per component; `flags` one word per component
/// for the caller (which to keep), in the union-find's memory, free once
/// labelling is done.
struct Components {
  let ww: Int, wh: Int
  let labels: UnsafeMutablePointer<UInt16>
  let parents: UnsafeMutablePointer<UInt16>
  let stats: UnsafeMutablePointer<ComponentStats>
  private(set) var count = 0

  var flags: UnsafeMutablePointer<UInt16> { parents }

  init(_ layout: AnalysisLayout, _ scratch: UnsafeMutableRawPointer) {
    ww = layout.ww
    wh = layout.wh
    labels = (scratch + layout.labels).assumingMemoryBound(to: UInt16.self)
    parents = (scratch + layout.parents).assumingMemoryBound(to: UInt16.self)
    stats = (scratch + layout.stats).bindMemory(to: ComponentStats.self, capacity: layout.maxLabels)
  }

  @inline(__always) private func root(_ l: Int) -> Int {
    var l = l
    while Int(parents[l]) != l {
      parents[l] = parents[Int(parents[l])]  // path halving
      l = Int(parents[l])
    }
    return l
  }

  /// Links two trees; the smaller label becomes the root, so that every
  /// parent is below its child and one forward pass can flatten the forest.
  @inline(__always) private func union(_ a: Int, _ b: Int) -> Int {
    let ra = root(a), rb = root(b)
    if ra < rb { parents[rb] = UInt16(ra); return ra }
    parents[ra] = UInt16(rb)
    return rb
  }

  /// The label of a pixel whose labelled-so-far neighbours include `n`.
  @inline(__always) private func meet(_ l: Int, _ n: UInt16) -> Int {
    if n == 0 { return l }
    return l == 0 ? root(Int(n)) : union(l, Int(n))
  }

  @_optimize(size)
  mutating func label(_ ink: UnsafePointer<UInt8>, threshold: Int, band: Int) {
    var next = 0
    for y in 0..<wh {
      for x in 0..<ww {
        let i = y * ww + x
        if Int(ink[i]) <= threshold {
          labels[i] = 0
          continue
        }
        var l = 0
        if x > 0 { l = meet(l, labels[i - 1]) }
        if y > 0 {
          if x > 0 { l = meet(l, labels[i - ww - 1]) }
          l = meet(l, labels[i - ww])
          if x + 1 < ww { l = meet(l, labels[i - ww + 1]) }
        }
        if l == 0 {
          next += 1
          parents[next] = UInt16(next)
          l = next
        }
        labels[i] = UInt16(l)
      }
    }
    // Flatten: roots get consecutive numbers, others their root's number.
    count = 0
    if next > 0 {
      for l in 1...next {
        if Int(parents[l]) == l {
          count += 1
          parents[l] = UInt16(count)
        } else {
          parents[l] = parents[Int(parents[l])]
        }
      }
    }
    if count > 0 {
      for c in 1...count {
        stats[c] = ComponentStats(mass: 0, area: 0, border: 0, minX: .max, minY: .max, maxX: 0, maxY: 0)
      }
    }
    // (parents maps provisional labels to components in this loop; after
    // it, its first count + 1 words become the flags.)
    for y in 0..<wh {
      for x in 0..<ww {
        let i = y * ww + x
        if labels[i] == 0 { continue }
        let c = Int(parents[Int(labels[i])])
        labels[i] = UInt16(c)
        stats[c].area += 1
        stats[c].mass += UInt32(ink[i])
        stats[c].minX = min(stats[c].minX, UInt16(x))
        stats[c].maxX = max(stats[c].maxX, UInt16(x))
        stats[c].minY = min(stats[c].minY, UInt16(y))
        stats[c].maxY = max(stats[c].maxY, UInt16(y))
        if x < band || y < band || x >= ww - band || y >= wh - band { stats[c].border += 1 }
      }
    }
    clear(flags, count + 1)
  }

  /// A component lying mostly along the image border: a frame line, the
  /// edge of the sheet, a shadow. The digit itself may touch the border
  /// (MNIST-like crops fill their frame) but does not lie along it.
  @inline(__always) func alongBorder(_ c: Int) -> Bool { Int(stats[c].border) * 2 > Int(stats[c].area) }

  /// Keeps the digit: the heaviest component not lying along the border,
  /// then every component near it that is not a speck.
  func selectDigit() -> KeptInk {
    var kept = KeptInk()
    if count == 0 { return kept }
    var main = 0
    for c in 1...count where !alongBorder(c) && (main == 0 || stats[c].mass > stats[main].mass) { main = c }
    if main == 0 {
      for c in 1...count where main == 0 || stats[c].mass > stats[main].mass { main = c }
    }
    keep(main, &kept)
    let mainMass = Int(stats[main].mass)
    let reach = max(2, max(Int(stats[main].maxX - stats[main].minX), Int(stats[main].maxY - stats[main].minY)) / 2)
    // A digit's separate strokes (the bar of a 5, a pencil gap) are near it
    // and carry a fair share of its ink; specks are light, debris far.
    var grew = true
    while grew {
      grew = false
      for c in 1...count where flags[c] == 0 && !alongBorder(c) {
        guard Int(stats[c].mass) * 100 >= mainMass * Preprocess.minimumStrokeShare else { continue }
        let gapX = max(0, max(Int(stats[c].minX) - kept.maxX, kept.minX - Int(stats[c].maxX)))
        let gapY = max(0, max(Int(stats[c].minY) - kept.maxY, kept.minY - Int(stats[c].maxY)))
        if gapX <= reach && gapY <= reach {
          keep(c, &kept)
          grew = true
        }
      }
    }
    return kept
  }

  private func keep(_ c: Int, _ kept: inout KeptInk) {
    flags[c] = 1
    kept.count += 1
    kept.minX = min(kept.minX, Int(stats[c].minX))
    kept.maxX = max(kept.maxX, Int(stats[c].maxX))
    kept.minY = min(kept.minY, Int(stats[c].minY))
    kept.maxY = max(kept.maxY, Int(stats[c].maxY))
  }
}

/// Writes the keep mask of a digit: 1 on the reduced pixels `keep` picks,
/// 2 within one pixel of them (where the soft edges of strokes lie), 0
/// elsewhere. `keep(i)` may read `mask[j]` for j >= i, so the mask may
/// overwrite the labels it is made from. Only the reduced pixels in
/// `cells` (clipped to the copy) are written; the outermost ring of them
/// is right only at the copy's edges, so pass one pixel more on each side
/// than will be read.
@inline(never) @_optimize(size)
func markAndDilate(
  _ mask: UnsafeMutablePointer<UInt16>, _ layout: AnalysisLayout, cells: Region, keep: (Int) -> Bool
) {
  let ww = layout.ww, wh = layout.wh
  let x0 = max(0, cells.x0), x1 = min(ww, cells.x1), y0 = max(0, cells.y0), y1 = min(wh, cells.y1)
  for y in y0..<y1 {
    for x in x0..<x1 { mask[y * ww + x] = keep(y * ww + x) ? 1 : 0 }
  }
  for y in y0..<y1 {
    for x in x0..<x1 where mask[y * ww + x] == 0 {
      var near = false
      for ny in max(y0, y - 1)...min(y1 - 1, y + 1) {
        for nx in max(x0, x - 1)...min(x1 - 1, x + 1) where mask[ny * ww + nx] == 1 { near = true }
      }
      if near { mask[y * ww + x] = 2 }
    }
  }
}
