#if arch(x86_64) && !DIGITINFER_PORTABLE
import _Builtin_intrinsics.intel
#endif

/// Optimized kernels, bit-exact with `Reference` (tests compare them on
/// random shapes and values). Following CMSIS-NN, the scratch workspace
/// holds int16 copies, so that the inner loops are 8-lane multiply-adds
/// with no bounds tests and no zero-point terms:
///
/// - the conv input with its zero point subtracted and the padding
///   materialised as zeros ("staged"), plus 16 bytes of zero slack;
/// - a "panel" of weights widened to int16, in one of two layouts:
///   * rows of kw * inC <= 8 (a first layer on a 1-channel image):
///     channels in lanes. A pair of neighbouring inputs is broadcast and
///     multiplied with that pair of taps of four output channels at once;
///     the accumulators end up holding whole channels, no horizontal sums.
///   * wider rows: reduction in lanes, four output channels at a time. Eight
///     inputs of a kernel row meet the same eight taps of each channel, the
///     row zero-filled to a multiple of eight (those lanes add nothing).
/// - dense: the input vector, zero point subtracted; weights are widened on
///   the fly since each is used once.
///
/// A conv followed by a 2x2 max-pool is run fused: requantization is
/// monotonic per channel (the multiplier is non-negative), so the maximum
/// of four accumulators, requantized once, equals the maximum of the four
/// requantized outputs. That saves three requantizations in four and never
/// writes the unpooled tensor. Fused or not, every kernel reads its input
/// only while staging, so its output may overwrite its input's arena.
enum Optimized {
  /// Rows at most this wide use the channels-in-lanes layout.
  static let narrowRow = 8

  /// Workspace bytes layer `d` needs: the staged input and the weight panel
  /// for a conv, the staged input vector for a dense layer.
  static func workspace(_ d: LayerDesc) -> UInt64 {
    switch LayerKind(rawValue: d.kind) {
    case .conv2d:
      let padded = d.paddedInputCount
      let rowLen = UInt64(d.kernelW) * UInt64(d.inC)
      let panel =
        rowLen <= UInt64(narrowRow)
        ? UInt64(d.kernelH) * ((rowLen + 1) / 2) * ((UInt64(d.outC) + 15) / 16 * 4) * 16  // channels in lanes
        : 2 * 4 * UInt64(d.kernelH) * align8(rowLen)  // reduction in lanes
      return align16(2 * padded + 16) + align16(panel)
    case .dense: return align16(2 * align8(UInt64(d.inC)))
    default: return 0
    }
  }

  static func conv2d(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>,
    _ workspace: UnsafeMutableRawPointer, pooled: Bool = false
  ) {
    let inH = Int(d.inH), inW = Int(d.inW), inC = Int(d.inC)
    let padH = Int(d.padH), padW = Int(d.padW)
    let pW = inW + 2 * padW
    let zp = Int16(d.inZeroPoint)

    // Stage the input: rows of pW * inC int16, zero padding, zero slack.
    let staged = workspace
    let stagedCount = (inH + 2 * padH) * pW * inC + 8
    staged.initializeMemory(as: Int16.self, repeating: 0, count: stagedCount)
    for iy in 0..<inH {
      let src = x + iy * inW * inC
      let dst = staged + 2 * (((iy + padH) * pW + padW) * inC)
      for i in 0..<(inW * inC) {
        dst.storeBytes(of: Int16(src[i]) &- zp, toByteOffset: 2 * i, as: Int16.self)
      }
    }
    let panel = workspace + ((2 * stagedCount + 15) & ~15)
    let conv = ConvGeometry(d, pooled: pooled, pW: pW)
    if Int(d.kernelW) * inC <= narrowRow {
      channelsInLanes(d, base, UnsafeRawPointer(staged), panel, conv, y)
    } else {
      reductionInLanes(d, base, UnsafeRawPointer(staged), panel, conv, y)
    }
  }

  /// Where outputs go: the conv grid, or the pooled grid with four conv
  /// positions ("taps") per output.
  struct ConvGeometry {
    let gridH: Int, gridW: Int, taps: Int, pooled: Bool
    let pW: Int, inC: Int, outC: Int, kh: Int, rowLen: Int

    init(_ d: LayerDesc, pooled: Bool, pW: Int) {
      self.pooled = pooled
      gridH = pooled ? Int(d.outH) / 2 : Int(d.outH)
      gridW = pooled ? Int(d.outW) / 2 : Int(d.outW)
      taps = pooled ? 4 : 1
      self.pW = pW
      inC = Int(d.inC)
      outC = Int(d.outC)
      kh = Int(d.kernelH)
      rowLen = Int(d.kernelW) * Int(d.inC)
    }

    /// Byte offset in the staged input of the window for grid cell (gy, gx), tap t.
    @inline(__always) func window(_ gy: Int, _ gx: Int, _ t: Int) -> Int {
      let oy = pooled ? 2 &* gy &+ (t >> 1) : gy
      let ox = pooled ? 2 &* gx &+ (t & 1) : gx
      return 2 &* ((oy &* pW &+ ox) &* inC)
    }
  }

  static func channelsInLanes(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ staged: UnsafeRawPointer, _ panel: UnsafeMutableRawPointer,
    _ g: ConvGeometry, _ y: UnsafeMutablePointer<Int8>
  ) {
    let pairs = (g.rowLen + 1) / 2
    let groups = ((g.outC + 3) / 4 + 3) & ~3  // of four channels, padded to a multiple of four
    // Panel: [kernel row][pair][group] -> 8 int16: (c0 tap 2p, c0 tap 2p+1, c1 ..., c3 ...).
    let w = (base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
    for ky in 0..<g.kh {
      for p in 0..<pairs {
        for group in 0..<groups {
          let at = panel + ((ky * pairs + p) * groups + group) * 16
          for lane in 0..<8 {
            let c = 4 * group + lane / 2, r = 2 * p + lane % 2
            let v: Int16 = c < g.outC && r < g.rowLen ? Int16(w[(c * g.kh + ky) * g.rowLen + r]) : 0
            at.storeBytes(of: v, toByteOffset: 2 * lane, as: Int16.self)
          }
        }
      }
    }
    let params = ChannelParams(base, d)
    let rowStride = 2 * g.pW * g.inC
    let pairStride = groups &* 16
    let rowPanel = pairs &* pairStride
    var first = 0
    while first < g.outC {  // sixteen channels per pass, in four accumulators
      let panelStart = UnsafeRawPointer(panel) + (first / 4) * 16
      let count = min(16, g.outC - first)
      let block0 = ChannelBlock(params, d, first: first, count: min(8, count))
      let block1 = ChannelBlock(params, d, first: first + 8, count: max(0, count - 8))
      for gy in 0..<g.gridH {
        for gx in 0..<g.gridW {
          var b01 = SIMD8<Int32>(repeating: .min), b23 = b01
          for t in 0..<g.taps {
            var a01 = Wide.zero(), a23 = Wide.zero()
            var xr = staged + g.window(gy, gx, t)
            var wr = panelStart
            for _ in 0..<g.kh {
              var xp = xr, wp = wr
              for _ in 0..<pairs {
                let xb = Wide.broadcastPair(xp)
                a01 = Wide.madd(a01, xb, Wide.load(wp))
                a23 = Wide.madd(a23, xb, Wide.load(wp + 32))
                xp += 4
                wp += pairStride
              }
              xr += rowStride
              wr += rowPanel
            }
            b01 = pointwiseMax(b01, Wide.lanes(a01))
            b23 = pointwiseMax(b23, Wide.lanes(a23))
          }
          let out = UnsafeMutableRawPointer(y + ((gy &* g.gridW &+ gx) &* g.outC &+ first))
          let q0 = block0.output(b01), q1 = block1.output(b23)
          if count == 16 {
            out.storeBytes(of: SIMD16(lowHalf: q0, highHalf: q1), as: SIMD16<Int8>.self)
          } else {
            for k in 0..<count { out.storeBytes(of: k < 8 ? q0[k] : q1[k &- 8], toByteOffset: k, as: Int8.self) }
          }
        }
      }
      first += 16
    }
  }

  static func reductionInLanes(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ staged: UnsafeRawPointer, _ panel: UnsafeMutableRawPointer,
    _ g: ConvGeometry, _ y: UnsafeMutablePointer<Int8>
  ) {
    let rowLen8 = (g.rowLen + 7) & ~7
    let panelRow = 2 * rowLen8
    let panelChannel = g.kh * panelRow
    let rowStride = 2 * g.pW * g.inC
    let w = (base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
    let params = ChannelParams(base, d)

    var group = 0
    while group < g.outC {
      let n = min(4, g.outC - group)
      // Widen this group's weights once; they are reused at every position.
      panel.initializeMemory(as: Int16.self, repeating: 0, count: 4 * g.kh * rowLen8)
      for j in 0..<n {
        for ky in 0..<g.kh {
          let src = w + ((group + j) * g.kh + ky) * g.rowLen
          let dst = panel + j * panelChannel + ky * panelRow
          for r in 0..<g.rowLen {
            dst.storeBytes(of: Int16(src[r]), toByteOffset: 2 * r, as: Int16.self)
          }
        }
      }
      let w1 = UnsafeRawPointer(panel) + panelChannel
      let w2 = w1 + panelChannel, w3 = w2 + panelChannel
      for gy in 0..<g.gridH {
        for gx in 0..<g.gridW {
          var best = SIMD4<Int32>(repeating: .min)
          for t in 0..<g.taps {
            var a0 = Wide.zero(), a1 = Wide.zero(), a2 = Wide.zero(), a3 = Wide.zero()
            var t0 = Lanes.zero(), t1 = Lanes.zero(), t2 = Lanes.zero(), t3 = Lanes.zero()
            var xr = staged + g.window(gy, gx, t)
            var row = 0
            for _ in 0..<g.kh {
              var r = row
              let end = row &+ panelRow
              var xp = xr
              while r &+ 32 <= end {
                let xv = Wide.load(xp)
                a0 = Wide.madd(a0, xv, Wide.load(UnsafeRawPointer(panel) + r))
                a1 = Wide.madd(a1, xv, Wide.load(w1 + r))
                a2 = Wide.madd(a2, xv, Wide.load(w2 + r))
                a3 = Wide.madd(a3, xv, Wide.load(w3 + r))
                xp += 32
                r &+= 32
              }
              if r < end {  // rows are padded to 8 lanes, not 16
                let xv = Lanes.load(xp)
                t0 = Lanes.madd(t0, xv, Lanes.load(UnsafeRawPointer(panel) + r))
                t1 = Lanes.madd(t1, xv, Lanes.load(w1 + r))
                t2 = Lanes.madd(t2, xv, Lanes.load(w2 + r))
                t3 = Lanes.madd(t3, xv, Lanes.load(w3 + r))
              }
              xr += rowStride
              row = end
            }
            let sums = SIMD4<Int32>(
              Wide.lanes(a0).wrappedSum() &+ Lanes.lanes(t0).wrappedSum(),
              Wide.lanes(a1).wrappedSum() &+ Lanes.lanes(t1).wrappedSum(),
              Wide.lanes(a2).wrappedSum() &+ Lanes.lanes(t2).wrappedSum(),
              Wide.lanes(a3).wrappedSum() &+ Lanes.lanes(t3).wrappedSum())
            best = pointwiseMax(best, sums)
          }
          let out = y + ((gy &* g.gridW &+ gx) &* g.outC &+ group)
          out[0] = params.output(params.bias(group) &+ best[0], group, d)
          if n > 1 { out[1] = params.output(params.bias(group + 1) &+ best[1], group + 1, d) }
          if n > 2 { out[2] = params.output(params.bias(group + 2) &+ best[2], group + 2, d) }
          if n > 3 { out[3] = params.output(params.bias(group + 3) &+ best[3], group + 3, d) }
        }
      }
      group += 4
    }
  }

  static func dense(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>,
    _ workspace: UnsafeMutableRawPointer
  ) {
    let n = Int(d.inC)
    let zp = Int16(d.inZeroPoint)
    for i in 0..<n {
      workspace.storeBytes(of: Int16(x[i]) &- zp, toByteOffset: 2 * i, as: Int16.self)
    }
    let xs = UnsafeRawPointer(workspace)
    let w = base + Int(d.weights)
    let p = ChannelParams(base, d)
    let vectorEnd = n & ~7
    for o in 0..<Int(d.outC) {
      let row = w + o * n
      var acc = Lanes.zero()
      var i = 0
      while i < vectorEnd {
        acc = Lanes.madd(acc, Lanes.load(xs + 2 * i), Lanes.loadWidened(row + i))
        i += 8
      }
      var sum = p.bias(o) &+ Lanes.lanes(acc).wrappedSum()
      while i < n {
        sum &+= Int32(xs.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) * Int32(row.i8(i))
        i += 1
      }
      y[o] = p.output(sum, o, d)
    }
  }

  /// 2x2 max pooling, sixteen channels at a time when the layout allows.
  static func maxpool2d(_ d: LayerDesc, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>) {
    let c = Int(d.inC)
    guard c % 16 == 0 else {
      Reference.maxpool2d(d, x, y)
      return
    }
    let inW = Int(d.inW), outW = Int(d.outW)
    let xr = UnsafeRawPointer(x)
    let yr = UnsafeMutableRawPointer(y)
    for oy in 0..<Int(d.outH) {
      for ox in 0..<outW {
        let i = ((2 * oy) * inW + 2 * ox) * c
        let o = (oy * outW + ox) * c
        var ch = 0
        while ch < c {
          let a = xr.loadUnaligned(fromByteOffset: i + ch, as: SIMD16<Int8>.self)
          let b = xr.loadUnaligned(fromByteOffset: i + c + ch, as: SIMD16<Int8>.self)
          let e = xr.loadUnaligned(fromByteOffset: i + inW * c + ch, as: SIMD16<Int8>.self)
          let f = xr.loadUnaligned(fromByteOffset: i + inW * c + c + ch, as: SIMD16<Int8>.self)
          yr.storeBytes(
            of: pointwiseMax(pointwiseMax(a, b), pointwiseMax(e, f)), toByteOffset: o + ch, as: SIMD16<Int8>.self)
          ch += 16
        }
      }
    }
  }
}
