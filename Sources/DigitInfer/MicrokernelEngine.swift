#if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
import DigitInferKernels

/// Runs a model with the C microkernels of Sources/DigitInferKernels (x86-64:
/// AVX2, AVX-VNNI, AVX-512 VNNI; AArch64: sdot; Cortex-M: DSP).
///
/// Activations stay in offset binary from the input to the last layer (the
/// byte q + 128, see kernels.h): the pixels are already that (q = p - 128),
/// a 2x2 max-pool is an unsigned maximum, and only the final outputs are
/// turned back into int8. A conv layer's input is staged in the form its
/// kernels read: offset binary for the VNNI sets and DSP, int16 q - zp for
/// AVX2, int8 q for sdot. The workspace holds, for each conv layer, its
/// weights packed for the kernel set (except DSP, which reads them in place)
/// and its per-channel parameters (packed once per call, or once per batch),
/// then one staging area where a layer's input is copied with its padding
/// (DSP: followed by its im2col columns); dense layers read the weights in
/// place.
enum Microkernels {
  /// Whether this build has a microkernel set for this CPU family. On
  /// 32-bit Arm only the DSP targets do (M4, M7, M33: fixed at build time,
  /// a constant LLVM folds), so that an M0 or M3 build drops the engine.
  static var available: Bool {
    #if arch(arm)
    return dgi_arm32_features() & DGI_ARM_DSP != 0
    #else
    return true
    #endif
  }

  /// Lanes of the widest kernel set, which fixes the panel and bias padding.
  static let lanes = 16
  /// Bytes a kernel may read past a tensor's end (the last 4-byte group of a
  /// kernel row); they multiply zero weights.
  static let slack = 64

  /// Bytes per staged input element (AVX2 widens to int16; the VNNI sets
  /// and sdot read bytes), and whether conv inputs are staged as int8 q
  /// (sdot is signed x signed) rather than in offset binary.
  #if arch(x86_64)
  static let stagedElement = 2
  static let signedStaging = false
  #elseif arch(arm64)
  static let stagedElement = 1
  static let signedStaging = true
  #else
  static let stagedElement = 1
  static let signedStaging = false
  #endif

  /// Sizes of one conv layer's packed weights and staged input, the
  /// largest over this architecture's kernel sets so that one layout
  /// serves them all.
  struct ConvShape {
    let rowLen: Int, groups: Int, pairs: Int, panel: Int, params: Int, staged: Int

    init(_ d: LayerDesc) {
      let kh = Int(d.kernelH), outC = Int(d.outC)
      rowLen = Int(d.kernelW) * Int(d.inC)
      groups = (rowLen + 3) / 4  // VNNI: 4-byte groups, 16-channel blocks of 64 bytes
      pairs = (rowLen + 1) / 2  // AVX2: int16 pairs, 8-channel blocks of 32 bytes, in pairs
      let vnni = kh * groups * ((outC + 15) / 16) * 64  // also sdot's
      #if arch(x86_64)
      let avx2 = kh * pairs * ((outC + 15) / 16) * 64
      panel = (max(vnni, avx2) + 63) & ~63
      #elseif arch(arm64)
      panel = vnni
      #else
      panel = 0  // DSP reads the weights in place
      #endif
      params = 3 * 4 * ((outC + 15) & ~15)  // bias, multiplier, shift
      staged = Int(d.paddedInputCount)
      self.kh = Int32(d.kernelH)
    }
    var packedBytes: Int { panel + params }
    var stagedBytes: Int { (Microkernels.stagedElement * staged + Microkernels.slack + 63) & ~63 }
    /// DSP: four im2col columns of int16 (kernels.h, dgi_conv_job.work).
    var columnBytes: Int { 4 * rowLen * Int(kh) * 2 }
    let kh: Int32
  }

  /// The workspace layout, built by dgi_model_open layer by layer.
  struct Plan {
    var packed: UInt64 = 0
    var staged: UInt64 = 0

    mutating func add(_ d: inout LayerDesc) {
      switch LayerKind(rawValue: d.kind) {
      case .conv2d:
        let s = ConvShape(d)
        d.packed = UInt32(packed)
        packed += UInt64(s.packedBytes)
        #if arch(arm)
        staged = max(staged, UInt64(s.stagedBytes + s.columnBytes))
        #else
        staged = max(staged, UInt64(s.stagedBytes))
        #endif
      case .dense:  // AVX2 and DSP widen the input vector
        #if arch(x86_64) || arch(arm)
        staged = max(staged, UInt64((2 * Int(d.inC) + Microkernels.slack + 63) & ~63))
        #endif
      default: break
      }
    }
    var bytes: UInt64 { packed + staged }
  }

  /// Packs every conv layer's weights into its place in the workspace.
  static func pack(_ m: ModelView, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet) {
    let s = m.state
    for i in 0..<Int(s.layerCount) {
      let d = m.layer(i)
      guard d.kind == LayerKind.conv2d.rawValue else { continue }
      let shape = ConvShape(d)
      let at = scratch + Int(s.workspace) + Int(d.packed)
      let params = (at + shape.panel).assumingMemoryBound(to: Int32.self)
      let bias = (s.base + Int(d.bias)).assumingMemoryBound(to: Int32.self)
      let multiplier = (s.base + Int(d.multiplier)).assumingMemoryBound(to: Int32.self)
      let shift = (s.base + Int(d.shift)).assumingMemoryBound(to: UInt8.self)
      let outC = Int32(d.outC)
      #if arch(arm)
      dgi_dsp_pack_params(params, bias, multiplier, shift, outC)  // DSP reads the weights in place
      #else
      let weights = (s.base + Int(d.weights)).assumingMemoryBound(to: Int8.self)
      // A step is a 4-byte group for both VNNI sets and sdot (one panel
      // layout) and a pair of weights for AVX2. Kernel rows that hold whole
      // steps lie one after another in the file as one long row: fewer
      // partial chunks to transpose.
      let kh = Int(d.kernelH)
      let vnni = set != .avx2
      let (step, steps) = vnni ? (4, shape.groups) : (2, shape.pairs)
      let (rows, length, perRow) = shape.rowLen % step == 0 ? (1, shape.rowLen * kh, steps * kh) : (kh, shape.rowLen, steps)
      #if arch(x86_64)
      if set == .avx512vnni {
        dgi_avx512vnni_pack_conv(
          at.assumingMemoryBound(to: Int8.self), params, weights, bias, multiplier, shift, outC, Int32(rows),
          Int32(length), Int32(perRow), Int32(d.inZeroPoint))
      } else {
        dgi_avx2_pack_conv(
          at.assumingMemoryBound(to: UInt8.self), params, weights, bias, multiplier, shift, outC, Int32(rows),
          Int32(length), Int32(perRow), vnni ? 1 : 0, Int32(d.inZeroPoint))
      }
      #else
      dgi_neondot_pack_conv(
        at.assumingMemoryBound(to: Int8.self), params, weights, bias, multiplier, shift, outC, Int32(rows),
        Int32(length), Int32(perRow), Int32(d.inZeroPoint))
      #endif
      #endif
    }
  }

  /// Runs the layers on one image with the weights `pack` left in scratch
  /// (Engine.swift's `prepare`).
  static func run(
    _ m: ModelView, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet
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
        let pooled = m.fusesPool(i, count: Int(s.layerCount))
        if pooled {
          i += 1
          y = (scratch + Int(m.layer(i).output)).assumingMemoryBound(to: UInt8.self)
        }
        conv(d, s.base, x, y, workspace, staging: workspace + Int(s.staging), pooled: pooled, set)
        count = Int(d.outH) * Int(d.outW) * Int(d.outC) / (pooled ? 4 : 1)
      case .dense:
        var input = UnsafeRawPointer(x)
        #if arch(x86_64)
        if set == .avx2 {
          let staged = (workspace + Int(s.staging)).assumingMemoryBound(to: Int16.self)
          dgi_avx2_widen(staged, x, Int32(d.inC), Int32(d.inZeroPoint))
          input = UnsafeRawPointer(staged)
        }
        #elseif arch(arm)
        let staged = (workspace + Int(s.staging)).assumingMemoryBound(to: Int16.self)
        dgi_dsp_widen(staged, x, Int32(d.inC), Int32(d.inZeroPoint))
        input = UnsafeRawPointer(staged)
        #endif
        var job = dgi_dense_job(
          input: input, output: y, weights: (s.base + Int(d.weights)).assumingMemoryBound(to: Int8.self),
          bias: (s.base + Int(d.bias)).assumingMemoryBound(to: Int32.self),
          multiplier: (s.base + Int(d.multiplier)).assumingMemoryBound(to: Int32.self),
          shift: (s.base + Int(d.shift)).assumingMemoryBound(to: UInt8.self),
          n: Int32(d.inC), out_c: Int32(d.outC), in_zero_point: Int32(d.inZeroPoint),
          out_zero_point: Int32(d.outZeroPoint), relu: d.relu ? 1 : 0)
        #if arch(x86_64)
        switch set {
        case .avx2: dgi_avx2_dense(&job)
        case .avxvnni: dgi_avxvnni_dense(&job)
        default: dgi_avx512vnni_dense(&job)
        }
        #elseif arch(arm64)
        dgi_neondot_dense(&job)
        #else
        dgi_dsp_dense(&job)
        #endif
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
    let padded = d.padH != 0 || d.padW != 0
    let row = inW * inC
    var input = UnsafeRawPointer(x)
    let signed = Microkernels.signedStaging
    if set == .avx2 {
      // Widened to int16 q - zp; padding is the real value 0.
      let staged = staging.assumingMemoryBound(to: Int16.self)
      if padded { staged.initialize(repeating: 0, count: shape.staged) }
      #if arch(x86_64)
      for iy in 0..<inH {
        dgi_avx2_widen(staged + ((iy + Int(d.padH)) * pW + Int(d.padW)) * inC, x + iy * row, Int32(row), Int32(d.inZeroPoint))
      }
      #endif
      input = UnsafeRawPointer(staged)
    } else if pooled || padded || signed {
      // A fused pool writes into the arena its conv reads (the pool's output
      // arena is the conv's input arena), so then the input is copied first,
      // as it is when padding must be materialised: the real value 0 is the
      // zero point, q + 128 = zp ^ 0x80 in offset binary. sdot reads int8 q:
      // the copy flips the sign bit.
      let staged = staging.assumingMemoryBound(to: UInt8.self)
      let zero = UInt8(bitPattern: d.inZeroPoint)
      if padded { staged.initialize(repeating: signed ? zero : zero ^ 0x80, count: shape.staged) }
      for iy in 0..<inH {
        let to = staged + ((iy + Int(d.padH)) * pW + Int(d.padW)) * inC
        if signed {
          for k in 0..<row { to[k] = x[iy * row + k] ^ 0x80 }
        } else {
          to.update(from: x + iy * row, count: row)
        }
      }
      input = UnsafeRawPointer(staged)
    }
    let packed = UnsafeRawPointer(workspace + Int(d.packed))
    #if arch(arm)
    // DSP: the weights in place, kernel rows of values, im2col columns after
    // the staged input.
    let (panel, steps) = (base + Int(d.weights), shape.rowLen)
    let work: UnsafeMutableRawPointer? = staging + shape.stagedBytes
    #else
    let (panel, steps) = (packed, set == .avx2 ? shape.pairs : shape.groups)
    let work: UnsafeMutableRawPointer? = nil
    #endif
    var job = dgi_conv_job(
      input: input, output: y, panel: panel, params: (packed + shape.panel).assumingMemoryBound(to: Int32.self),
      in_w: Int32(pW), in_c: Int32(inC), kh: Int32(d.kernelH), steps: Int32(steps),
      out_c: Int32(d.outC), grid_h: Int32(pooled ? Int(d.outH) / 2 : Int(d.outH)),
      grid_w: Int32(pooled ? Int(d.outW) / 2 : Int(d.outW)), pooled: pooled ? 1 : 0,
      in_zero_point: Int32(d.inZeroPoint), out_zero_point: Int32(d.outZeroPoint), relu: d.relu ? 1 : 0, work: work)
    #if arch(x86_64)
    switch set {
    case .avx2: dgi_avx2_conv(&job)
    case .avxvnni: dgi_avxvnni_conv(&job)
    default: dgi_avx512vnni_conv(&job)
    }
    #elseif arch(arm64)
    dgi_neondot_conv(&job)
    #else
    dgi_dsp_conv(&job)
    #endif
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
