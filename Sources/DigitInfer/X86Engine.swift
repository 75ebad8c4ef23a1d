#if arch(x86_64) && !DIGITINFER_SMALL
import DigitInferKernels

/// Runs a model with the x86-64 microkernels of Sources/DigitInferKernels.
///
/// Activations stay in offset binary from the input to the last layer (the
/// byte q + 128, see kernels.h): the pixels are already that (q = p - 128),
/// a 2x2 max-pool is an unsigned maximum, and only the final outputs are
/// turned back into int8. The workspace holds, for each conv layer, its
/// weights packed for the kernel with a corrected bias (packed once per
/// call, or once per batch), then one staging area where a conv's input is
/// copied with its padding; dense layers read the file in place.
enum X86Engine {
  /// Lanes of the widest kernel set, which fixes the panel and bias padding.
  static let lanes = 16
  /// Bytes a kernel may read past a tensor's end (the last 4-byte group of a
  /// kernel row); they multiply zero weights.
  static let slack = 64

  /// Sizes of one conv layer's packed weights and staged input.
  struct ConvShape {
    let groups: Int, blocks: Int, staged: Int, panel: Int

    init(_ d: LayerDesc) {
      groups = (Int(d.kernelW) * Int(d.inC) + 3) / 4
      blocks = (Int(d.outC) + X86Engine.lanes - 1) / X86Engine.lanes
      staged = (Int(d.inH) + 2 * Int(d.padH)) * (Int(d.inW) + 2 * Int(d.padW)) * Int(d.inC)
      panel = Int(d.kernelH) * groups * blocks * 64
    }
    var panelBytes: Int { (panel + 63) & ~63 }
    var packedBytes: Int { panelBytes + blocks * 64 }
    var stagedBytes: Int { (staged + X86Engine.slack + 63) & ~63 }
  }

  /// The workspace layout, built by dgi_model_open layer by layer.
  struct Plan {
    var packed: UInt64 = 0
    var staged: UInt64 = 0

    mutating func add(_ d: inout LayerDesc) {
      guard d.kind == LayerKind.conv2d.rawValue else { return }
      let s = ConvShape(d)
      d.packed = UInt32(packed)
      packed += UInt64(s.packedBytes)
      staged = max(staged, UInt64(s.stagedBytes))
    }
    var bytes: UInt64 { packed + staged }
  }

  /// One image: pack, then run.
  static func infer(
    _ m: Model, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet
  ) -> UnsafePointer<Int8> {
    pack(m, scratch, set)
    return run(m, pixels, scratch, set)
  }

  /// Packs every conv layer's weights into its place in the workspace.
  static func pack(_ m: Model, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet) {
    let s = m.state
    for i in 0..<Int(s.layerCount) {
      let d = m.layer(i)
      guard d.kind == LayerKind.conv2d.rawValue else { continue }
      let shape = ConvShape(d)
      let at = scratch + Int(s.workspace) + Int(d.packed)
      // Kernel rows of whole 4-byte groups lie one after another in the file:
      // packed as one long row, fewer partial chunks are transposed.
      let rowLen = Int(d.kernelW) * Int(d.inC), kh = Int(d.kernelH)
      let (rows, length, groups) = rowLen % 4 == 0 ? (1, rowLen * kh, shape.groups * kh) : (kh, rowLen, shape.groups)
      switch set {
      default:
        dgi_avx512vnni_pack_conv(
          at.assumingMemoryBound(to: Int8.self), (at + shape.panelBytes).assumingMemoryBound(to: Int32.self),
          (s.base + Int(d.weights)).assumingMemoryBound(to: Int8.self),
          (s.base + Int(d.bias)).assumingMemoryBound(to: Int32.self), Int32(d.outC), Int32(rows), Int32(length),
          Int32(groups), Int32(d.inZeroPoint))
      }
    }
  }

  /// Runs the layers on one image with the weights `pack` left in scratch.
  static func run(
    _ m: Model, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet
  ) -> UnsafePointer<Int8> {
    let s = m.state
    let input = scratch.assumingMemoryBound(to: UInt8.self)
    input.update(from: pixels, count: FileLayout.inputSide * FileLayout.inputSide)
    let workspace = scratch + Int(s.workspace)
    var last = UnsafeMutablePointer(input)
    var count = FileLayout.inputSide * FileLayout.inputSide
    var i = 0
    while i < Int(s.layerCount) {
      let d = m.layer(i)
      let x = UnsafePointer((scratch + Int(d.input)).assumingMemoryBound(to: UInt8.self))
      var y = (scratch + Int(d.output)).assumingMemoryBound(to: UInt8.self)
      switch LayerKind(rawValue: d.kind) {
      case .conv2d:
        let pooled = i + 1 < Int(s.layerCount) && m.layer(i + 1).kind == LayerKind.maxpool2d.rawValue
        if pooled {
          i += 1
          y = (scratch + Int(m.layer(i).output)).assumingMemoryBound(to: UInt8.self)
        }
        conv(d, s.base, x, y, workspace, staging: workspace + Int(s.staging), pooled: pooled, set)
        count = Int(d.outH) * Int(d.outW) * Int(d.outC) / (pooled ? 4 : 1)
      case .dense:
        var job = dgi_dense_job(
          input: x, output: y, weights: (s.base + Int(d.weights)).assumingMemoryBound(to: Int8.self),
          bias: (s.base + Int(d.bias)).assumingMemoryBound(to: Int32.self),
          multiplier: (s.base + Int(d.multiplier)).assumingMemoryBound(to: Int32.self),
          shift: (s.base + Int(d.shift)).assumingMemoryBound(to: UInt8.self),
          n: Int32(d.inC), out_c: Int32(d.outC), in_zero_point: Int32(d.inZeroPoint),
          out_zero_point: Int32(d.outZeroPoint), relu: d.relu ? 1 : 0)
        switch set {
        default: dgi_avx512vnni_dense(&job)
        }
        count = Int(d.outC)
      case .maxpool2d:
        maxpool(d, x, y)
        count = Int(d.outH) * Int(d.outW) * Int(d.outC)
      case .flatten, nil:
        y = UnsafeMutablePointer(mutating: x)  // a view: open() admits no other kinds
      }
      last = y
      i += 1
    }
    // Back from offset binary to int8.
    for k in 0..<count { last[k] ^= 0x80 }
    return UnsafeRawPointer(last).assumingMemoryBound(to: Int8.self)
  }

  static func conv(
    _ d: LayerDesc, _ base: UnsafeRawPointer, _ x: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<UInt8>,
    _ workspace: UnsafeMutableRawPointer, staging: UnsafeMutableRawPointer, pooled: Bool, _ set: KernelSet
  ) {
    let shape = ConvShape(d)
    let inH = Int(d.inH), inW = Int(d.inW), inC = Int(d.inC)
    let pW = inW + 2 * Int(d.padW)
    // A fused pool writes into the arena its conv reads (the pool's output
    // arena is the conv's input arena), so then the input is copied first,
    // as it is when padding must be materialised.
    var input = x
    if pooled || d.padH != 0 || d.padW != 0 {
      // Padding holds the real value 0, which is the zero point: q + 128 = zp ^ 0x80.
      let staged = staging.assumingMemoryBound(to: UInt8.self)
      if d.padH != 0 || d.padW != 0 {
        staged.initialize(repeating: UInt8(bitPattern: d.inZeroPoint) ^ 0x80, count: shape.staged)
      }
      for iy in 0..<inH {
        (staged + ((iy + Int(d.padH)) * pW + Int(d.padW)) * inC).update(from: x + iy * inW * inC, count: inW * inC)
      }
      input = UnsafePointer(staged)
    }
    let packed = workspace + Int(d.packed)
    var job = dgi_conv_job(
      input: input, output: y, panel: UnsafePointer(packed.assumingMemoryBound(to: Int8.self)),
      bias: UnsafePointer((packed + shape.panelBytes).assumingMemoryBound(to: Int32.self)),
      multiplier: (base + Int(d.multiplier)).assumingMemoryBound(to: Int32.self),
      shift: (base + Int(d.shift)).assumingMemoryBound(to: UInt8.self),
      in_w: Int32(pW), in_c: Int32(inC), kh: Int32(d.kernelH), groups: Int32(shape.groups),
      out_c: Int32(d.outC), grid_h: Int32(pooled ? Int(d.outH) / 2 : Int(d.outH)),
      grid_w: Int32(pooled ? Int(d.outW) / 2 : Int(d.outW)), pooled: pooled ? 1 : 0,
      out_zero_point: Int32(d.outZeroPoint), relu: d.relu ? 1 : 0)
    switch set {
    default: dgi_avx512vnni_conv(&job)
    }
  }

  /// 2x2 max-pool of offset-binary bytes: an unsigned maximum. Only a pool
  /// that follows no conv runs here (the others are fused): kept small.
  @_optimize(size)
  static func maxpool(_ d: LayerDesc, _ x: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<UInt8>) {
    let inW = Int(d.inW), c = Int(d.inC)
    for oy in 0..<Int(d.outH) {
      for ox in 0..<Int(d.outW) {
        let i = ((2 * oy) * inW + 2 * ox) * c
        for ch in 0..<c {
          y[(oy * Int(d.outW) + ox) * c + ch] = max(
            max(x[i + ch], x[i + c + ch]), max(x[i + inW * c + ch], x[i + inW * c + c + ch]))
        }
      }
    }
  }
}
#endif
