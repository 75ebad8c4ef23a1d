/// Reference kernels: the definitions of the layer kinds, written as
/// directly as possible and used to check the optimized kernels bit for
/// bit. Tensors are int8, row-major height x width x channels; conv weights
/// are [out channel][kernel row][kernel column][in channel].
/// Built for size: they are the yardstick and the small-flash build, not
/// the fast path.
enum Reference {
  @_optimize(size)
  static func conv2d(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>
  ) {
    let w = (base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
    let p = ChannelParams(base, d)
    let inH = Int(d.inH), inW = Int(d.inW), inC = Int(d.inC)
    let kh = Int(d.kernelH), kw = Int(d.kernelW), zp = Int32(d.inZeroPoint)
    for oy in 0..<Int(d.outH) {
      for ox in 0..<Int(d.outW) {
        for oc in 0..<Int(d.outC) {
          var acc = p.bias(oc)
          for ky in 0..<kh {
            let iy = oy + ky - Int(d.padH)
            if iy < 0 || iy >= inH { continue }  // padding holds the real value 0
            for kx in 0..<kw {
              let ix = ox + kx - Int(d.padW)
              if ix < 0 || ix >= inW { continue }
              for ic in 0..<inC {
                let xv = Int32(x[(iy * inW + ix) * inC + ic]) - zp
                let wv = Int32(w[((oc * kh + ky) * kw + kx) * inC + ic])
                acc += xv * wv
              }
            }
          }
          y[(oy * Int(d.outW) + ox) * Int(d.outC) + oc] = p.referenceOutput(acc, oc, d)
        }
      }
    }
  }

  @_optimize(size)
  static func maxpool2d(_ d: LayerDesc, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>) {
    let inW = Int(d.inW), c = Int(d.inC)
    for oy in 0..<Int(d.outH) {
      for ox in 0..<Int(d.outW) {
        for ch in 0..<c {
          let i = ((2 * oy) * inW + 2 * ox) * c + ch
          let top = max(x[i], x[i + c])
          let bottom = max(x[i + inW * c], x[i + inW * c + c])
          y[(oy * Int(d.outW) + ox) * c + ch] = max(top, bottom)
        }
      }
    }
  }

  @_optimize(size)
  static func dense(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>
  ) {
    let w = (base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
    let p = ChannelParams(base, d)
    let n = Int(d.inC), zp = Int32(d.inZeroPoint)
    for o in 0..<Int(d.outC) {
      var acc = p.bias(o)
      for i in 0..<n {
        acc += (Int32(x[i]) - zp) * Int32(w[o * n + i])
      }
      y[o] = p.referenceOutput(acc, o, d)
    }
  }
}
