/// Runs the network on one 28x28 image with kernel set `set` (supported by
/// this CPU: callers check) and returns a pointer to the int8 outputs of
/// the last layer, which lie in `scratch`. The model must be open and
/// `scratch` at least `state.scratchSize` bytes (callers check).
func infer(
  _ m: ModelView, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet
) -> UnsafePointer<Int8> {
  prepare(m, scratch, set)
  return run(m, pixels, scratch, set)
}

/// The work that does not depend on the image, done once per call or per
/// batch: the microkernel sets pack their weights into the workspace.
func prepare(_ m: ModelView, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet) {
  #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
  if set.usesMicrokernels && Microkernels.available { Microkernels.pack(m, scratch, set) }
  #endif
}

/// One image, after `prepare` with the same scratch and set.
func run(
  _ m: ModelView, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ set: KernelSet
) -> UnsafePointer<Int8> {
  switch set {
  case .reference: return swiftInfer(m, pixels, scratch, optimized: false)
  #if !DIGITINFER_SMALL
  case .baseline: return swiftInfer(m, pixels, scratch, optimized: true)
  #endif
  #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
  case .avx2, .avx512vnni, .avxvnni, .neondot, .dsp:
    // (Never false for a supported set; the test lets builds without any
    // microkernel set drop the engine.)
    if Microkernels.available { return Microkernels.run(m, pixels, scratch, set) }
    return swiftInfer(m, pixels, scratch, optimized: false)
  #else
  default: return swiftInfer(m, pixels, scratch, optimized: false)
  #endif
  }
}

/// The Swift kernels (reference or baseline SIMD). The input is quantized
/// with scale 1/255 and zero point -128, so pixel p becomes p - 128 exactly.
/// Then each layer reads one arena of the scratch buffer and writes the
/// other (flatten is a no-op view).
func swiftInfer(
  _ m: ModelView, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, optimized: Bool
) -> UnsafePointer<Int8> {
  #if DIGITINFER_SMALL
  let optimized = false  // small builds link only the reference kernels
  #else
  let optimized = optimized && !KernelSet.baselineSuperseded  // a constant false drops the SIMD kernels
  #endif
  let s = m.state
  let input = scratch.assumingMemoryBound(to: Int8.self)
  for i in 0..<(FileLayout.inputSide * FileLayout.inputSide) {
    input[i] = Int8(bitPattern: pixels[i] ^ 0x80)
  }
  let workspace = scratch + Int(s.workspace)
  var last = UnsafePointer(input)
  var i = 0
  while i < Int(s.layerCount) {
    let d = m.layer(i)
    let x = UnsafePointer((scratch + Int(d.input)).assumingMemoryBound(to: Int8.self))
    var y = (scratch + Int(d.output)).assumingMemoryBound(to: Int8.self)
    switch (LayerKind(rawValue: d.kind), optimized) {
    case (.conv2d, false): Reference.conv2d(d, s.base, x, y)
    case (.conv2d, true):
      // A following max-pool is fused into the convolution.
      if m.fusesPool(i, count: Int(s.layerCount)) {
        i += 1
        y = (scratch + Int(m.layer(i).output)).assumingMemoryBound(to: Int8.self)
        Optimized.conv2d(d, s.base, x, y, workspace, pooled: true)
      } else {
        Optimized.conv2d(d, s.base, x, y, workspace)
      }
    case (.dense, false): Reference.dense(d, s.base, x, y)
    case (.dense, true): Optimized.dense(d, s.base, x, y, workspace)
    case (.maxpool2d, false): Reference.maxpool2d(d, x, y)
    case (.maxpool2d, true): Optimized.maxpool2d(d, x, y)
    case (.flatten, _), (nil, _): break  // open() admits no other kinds
    }
    last = UnsafePointer(y)
    i += 1
  }
  return last
}
