#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Optimized kernels, bit-exact with `Reference` (tests compare them on
/// random shapes and values). The scratch workspace holds int16 copies:
///
/// - conv2d: the input with the zero point subtracted and the padding
///   materialised as zeros, so the inner loop has no bounds tests and no
///   zero-point term; then, per group of four output channels, a "panel" of
///   their weights widened to int16 with each kernel row zero-filled to a
///   multiple of eight. The inner loop is then one 8-lane load of input and
///   four multiply-adds against the panel, for every kernel row.
/// - dense: the input vector, zero point subtracted; weights are widened on
///   the fly since each is used once.
///
/// The lanes that run past a kernel row meet zero weights, so they add
/// nothing; the 16 bytes of slack after the staged input keep those reads in
/// bounds (docs/FORMAT.md, "Scratch").
enum Optimized {
  static func conv2d(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>,
    _ workspace: UnsafeMutableRawPointer
  ) {
    let inH = Int(d.inH), inW = Int(d.inW), inC = Int(d.inC)
    let kh = Int(d.kernelH), kw = Int(d.kernelW)
    let padH = Int(d.padH), padW = Int(d.padW)
    let outH = Int(d.outH), outW = Int(d.outW), outC = Int(d.outC)
    let pH = inH + 2 * padH, pW = inW + 2 * padW
    let zp = Int16(d.inZeroPoint)

    // Stage the input: rows of pW * inC int16, zero padding, zero slack.
    let staged = workspace
    let stagedCount = pH * pW * inC + 8
    staged.initializeMemory(as: Int16.self, repeating: 0, count: stagedCount)
    for iy in 0..<inH {
      let src = x + iy * inW * inC
      let dst = staged + 2 * (((iy + padH) * pW + padW) * inC)
      for i in 0..<(inW * inC) {
        dst.storeBytes(of: Int16(src[i]) &- zp, toByteOffset: 2 * i, as: Int16.self)
      }
    }

    let rowLen = kw * inC
    let rowLen8 = (rowLen + 7) & ~7
    let panel = workspace + ((2 * stagedCount + 15) & ~15)
    let panelRow = 2 * rowLen8
    let panelChannel = kh * panelRow
    let w = (base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
    let p = ChannelParams(base, d)

    var group = 0
    while group < outC {
      let n = min(4, outC - group)
      // Widen this group's weights once; they are reused at every position.
      panel.initializeMemory(as: Int16.self, repeating: 0, count: 4 * kh * rowLen8)
      for j in 0..<n {
        for ky in 0..<kh {
          let src = w + ((group + j) * kh + ky) * rowLen
          let dst = panel + j * panelChannel + ky * panelRow
          for r in 0..<rowLen {
            dst.storeBytes(of: Int16(src[r]), toByteOffset: 2 * r, as: Int16.self)
          }
        }
      }
      for oy in 0..<outH {
        for ox in 0..<outW {
          var a0 = Lanes.zero(), a1 = Lanes.zero(), a2 = Lanes.zero(), a3 = Lanes.zero()
          for ky in 0..<kh {
            let xr = UnsafeRawPointer(staged + 2 * (((oy + ky) * pW + ox) * inC))
            let wr = UnsafeRawPointer(panel + ky * panelRow)
            var r = 0
            while r < panelRow {
              let xv = Lanes.load(xr + r)
              a0 = Lanes.madd(a0, xv, Lanes.load(wr + r))
              a1 = Lanes.madd(a1, xv, Lanes.load(wr + (panelChannel + r)))
              a2 = Lanes.madd(a2, xv, Lanes.load(wr + (2 * panelChannel + r)))
              a3 = Lanes.madd(a3, xv, Lanes.load(wr + (3 * panelChannel + r)))
              r += 16
            }
          }
          let out = y + (oy * outW + ox) * outC + group
          out[0] = p.output(p.bias(group) &+ Lanes.sum(a0), group, d)
          if n > 1 { out[1] = p.output(p.bias(group + 1) &+ Lanes.sum(a1), group + 1, d) }
          if n > 2 { out[2] = p.output(p.bias(group + 2) &+ Lanes.sum(a2), group + 2, d) }
          if n > 3 { out[3] = p.output(p.bias(group + 3) &+ Lanes.sum(a3), group + 3, d) }
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
      var sum = p.bias(o) &+ Lanes.sum(acc)
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
