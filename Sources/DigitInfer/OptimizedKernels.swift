#if arch(x86_64)
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
      let oy = pooled ? 2 * gy + (t >> 1) : gy
      let ox = pooled ? 2 * gx + (t & 1) : gx
      return 2 * ((oy * pW + ox) * inC)
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
    var first = 0
    while first < g.outC {  // sixteen channels per pass, in four accumulators
      let groupBase = first / 4
      for gy in 0..<g.gridH {
        for gx in 0..<g.gridW {
          var best = (SIMD4<Int32>(repeating: .min), SIMD4<Int32>(repeating: .min),
                      SIMD4<Int32>(repeating: .min), SIMD4<Int32>(repeating: .min))
          for t in 0..<g.taps {
            var a0 = Lanes.zero(), a1 = Lanes.zero(), a2 = Lanes.zero(), a3 = Lanes.zero()
            var xr = staged + g.window(gy, gx, t)
            var wr = UnsafeRawPointer(panel) + groupBase * 16
            for _ in 0..<g.kh {
              for p in 0..<pairs {
                let xb = Lanes.broadcastPair(xr + 4 * p)
                let wp = wr + p * groups * 16
                a0 = Lanes.madd(a0, xb, Lanes.load(wp))
                a1 = Lanes.madd(a1, xb, Lanes.load(wp + 16))
                a2 = Lanes.madd(a2, xb, Lanes.load(wp + 32))
                a3 = Lanes.madd(a3, xb, Lanes.load(wp + 48))
              }
              xr += rowStride
              wr += pairs * groups * 16
            }
            best.0 = pointwiseMax(best.0, Lanes.lanes(a0))
            best.1 = pointwiseMax(best.1, Lanes.lanes(a1))
            best.2 = pointwiseMax(best.2, Lanes.lanes(a2))
            best.3 = pointwiseMax(best.3, Lanes.lanes(a3))
          }
          let out = y + (gy * g.gridW + gx) * g.outC
          let count = min(16, g.outC - first)
          for k in 0..<count {
            let v: Int32
            switch k / 4 {
            case 0: v = best.0[k % 4]
            case 1: v = best.1[k % 4]
            case 2: v = best.2[k % 4]
            default: v = best.3[k % 4]
            }
            let c = first + k
            out[c] = params.output(params.bias(c) &+ v, c, d)
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
      for gy in 0..<g.gridH {
        for gx in 0..<g.gridW {
          var best = SIMD4<Int32>(repeating: .min)
          for t in 0..<g.taps {
            var a0 = Lanes.zero(), a1 = Lanes.zero(), a2 = Lanes.zero(), a3 = Lanes.zero()
            var xr = staged + g.window(gy, gx, t)
            var wr = UnsafeRawPointer(panel)
            for _ in 0..<g.kh {
              var r = 0
              while r < panelRow {
                let xv = Lanes.load(xr + r)
                a0 = Lanes.madd(a0, xv, Lanes.load(wr + r))
                a1 = Lanes.madd(a1, xv, Lanes.load(wr + (panelChannel + r)))
                a2 = Lanes.madd(a2, xv, Lanes.load(wr + (2 * panelChannel + r)))
                a3 = Lanes.madd(a3, xv, Lanes.load(wr + (3 * panelChannel + r)))
                r += 16
              }
              xr += rowStride
              wr += panelRow
            }
            let sums = SIMD4<Int32>(
              Lanes.lanes(a0).wrappedSum(), Lanes.lanes(a1).wrappedSum(),
              Lanes.lanes(a2).wrappedSum(), Lanes.lanes(a3).wrappedSum())
            best = pointwiseMax(best, sums)
          }
          let out = y + (gy * g.gridW + gx) * g.outC + group
          for j in 0..<n { out[j] = params.output(params.bias(group + j) &+ best[j], group + j, d) }
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
            of: pointwiseMax(pointwiseMax(a, b), pointwiseMax(e, f)), toByteOffset: o + ch,
            as: SIMD16<Int8>.self)
          ch += 16
        }
      }
    }
  }
}
