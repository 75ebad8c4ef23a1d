// Swift users of the package get the C types and functions with `import DigitInfer`.
@_exported import CDigitInfer

// The C ABI of include/digitinfer.h. `@c @implementation` makes the
// compiler check each signature against the header, so the two cannot
// drift apart. Everything here only checks arguments and converts types;
// the work is in Open.swift, Engine.swift, Softmax.swift and Preprocess.swift
// (docs/ARCHITECTURE.md follows each call to it).

@c @implementation
public func dgi_abi_version() -> UInt32 { DGI_ABI_VERSION }

@c @implementation
public func dgi_version() -> UnsafePointer<CChar>? { dgi_version_literal() }

@c @implementation
public func dgi_status_message(_ status: dgi_status) -> UnsafePointer<CChar>? {
  UnsafeRawPointer(Status.message(status.rawValue).utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func dgi_model_open(
  _ model: UnsafeMutablePointer<dgi_model>?, _ bytes: UnsafeRawPointer?, _ size: Int
) -> dgi_status {
  guard let model else { return Status.argument.c }
  guard let bytes, size >= 0 else {
    UnsafeMutableRawPointer(model).storeBytes(of: 0, as: UInt32.self)
    return Status.argument.c
  }
  return openModel(UnsafeMutableRawPointer(model), bytes, size).c
}

@c @implementation
public func dgi_model_scratch_size(_ model: UnsafePointer<dgi_model>?) -> Int {
  guard let m = openedModel(model) else { return 0 }
  return Int(m.state.scratchSize)
}

@c @implementation
public func dgi_classify(
  _ model: UnsafePointer<dgi_model>?, _ pixels: UnsafePointer<UInt8>?,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ result: UnsafeMutablePointer<dgi_result>?
) -> dgi_status {
  runChecked(model, pixels, 1, scratch, scratchSize, UnsafeMutableRawPointer(result), classify: true)
}

@c @implementation
public func dgi_infer(
  _ model: UnsafePointer<dgi_model>?, _ pixels: UnsafePointer<UInt8>?,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ logits: UnsafeMutablePointer<Int8>?
) -> dgi_status {
  runChecked(model, pixels, 1, scratch, scratchSize, UnsafeMutableRawPointer(logits), classify: false)
}

@c @implementation
public func dgi_classify_batch(
  _ model: UnsafePointer<dgi_model>?, _ pixels: UnsafePointer<UInt8>?, _ count: Int,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ results: UnsafeMutablePointer<dgi_result>?
) -> dgi_status {
  runChecked(model, pixels, count, scratch, scratchSize, UnsafeMutableRawPointer(results), classify: true)
}

@c @implementation
public func dgi_infer_batch(
  _ model: UnsafePointer<dgi_model>?, _ pixels: UnsafePointer<UInt8>?, _ count: Int,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ logits: UnsafeMutablePointer<Int8>?
) -> dgi_status {
  runChecked(model, pixels, count, scratch, scratchSize, UnsafeMutableRawPointer(logits), classify: false)
}

/// The argument checks shared by the inference entry points, in the order
/// the header documents; then the network on each of `count` images, whose
/// outputs become dgi_result (classify) or DGI_MAX_CLASSES (11) logits each
/// in `output`.
/// Nothing is written to `output` unless every check passed. One copy for
/// the four entry points (inlined into each, it costs 2 KB of library).
@inline(never)
func runChecked(
  _ model: UnsafePointer<dgi_model>?, _ pixels: UnsafePointer<UInt8>?, _ count: Int,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ output: UnsafeMutableRawPointer?, classify: Bool
) -> dgi_status {
  guard let m = openedModel(model) else { return refused(model) }
  let imageBytes = FileLayout.inputSide * FileLayout.inputSide
  // A size_t scratch_size above PTRDIFF_MAX arrives negative: no buffer is that large.
  guard let pixels, let output, count >= 0, count <= Int.max / imageBytes, scratchSize >= 0 else {
    return Status.argument.c
  }
  guard let scratch, scratchSize >= Int(m.state.scratchSize) else { return Status.scratch.c }
  let set = KernelSet(rawValue: m.state.kernels) ?? .reference
  if count > 0 { prepare(m, scratch, set) }  // once for the batch
  for i in 0..<count {
    let logits = run(m, pixels + i * imageBytes, scratch, set)
    if classify {
      (output.assumingMemoryBound(to: dgi_result.self) + i).pointee = classification(m, logits)
    } else {
      let out = output.assumingMemoryBound(to: Int8.self) + FileLayout.maxClasses * i
      let classes = Int(m.state.classCount)
      for k in 0..<FileLayout.maxClasses { out[k] = k < classes ? logits[k] : 0 }
    }
  }
  return Status.ok.c
}

/// dgi_result from the last layer's int8 outputs (docs/FORMAT.md, section
/// 11): the softmax over all classes, then "not a digit" (class 10 of an
/// 11-class model) reported apart from the ten digits.
func classification(_ m: ModelView, _ logits: UnsafePointer<Int8>) -> dgi_result {
  let classes = Int(m.state.classCount)
  var p: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float) =
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  var r = dgi_result()
  withUnsafeMutableBytes(of: &p) { all in
    let p = all.baseAddress!.assumingMemoryBound(to: Float.self)
    let best = Softmax.run(logits, classes, beta: m.state.softmaxBeta, p)
    withUnsafeMutableBytes(of: &r.probabilities) { digits in
      digits.copyMemory(from: UnsafeRawBufferPointer(start: p, count: 4 * FileLayout.digitClasses))
    }
    // p[10] is 0 for a model of at most 10 classes.
    r.not_a_digit = p[FileLayout.notADigitClass]
    let bestDigit = Softmax.best(logits, min(classes, FileLayout.digitClasses))
    r.best_digit = Int32(bestDigit)
    r.digit = best == FileLayout.notADigitClass ? DGI_NOT_A_DIGIT : Int32(best)
    r.confidence = p[best]
  }
  return r
}

@c @implementation
public func dgi_kernels_supported() -> UInt32 { KernelSet.supported }

@c @implementation
public func dgi_kernels_name(_ kernels: dgi_kernels) -> UnsafePointer<CChar>? {
  let name: StaticString =
    kernels == DGI_KERNELS_AUTO ? "auto" : KernelSet(rawValue: kernels.rawValue)?.name ?? "unknown"
  return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func dgi_model_kernels(_ model: UnsafePointer<dgi_model>?) -> dgi_kernels {
  guard let m = openedModel(model) else { return DGI_KERNELS_AUTO }
  return dgi_kernels(rawValue: m.state.kernels)
}

@c @implementation
public func dgi_model_set_kernels(_ model: UnsafeMutablePointer<dgi_model>?, _ kernels: dgi_kernels) -> dgi_status {
  guard let model else { return Status.argument.c }
  guard openedModel(model) != nil else { return Status.notOpen.c }
  let supported = KernelSet.supported
  let set: KernelSet
  if kernels == DGI_KERNELS_AUTO {
    set = KernelSet.best(supported)
  } else {
    guard let chosen = KernelSet(rawValue: kernels.rawValue) else { return Status.argument.c }
    guard supported & (1 << chosen.rawValue) != 0 else { return Status.unsupported.c }
    set = chosen
  }
  let state = UnsafeMutableRawPointer(model)
  var s = state.load(as: ModelState.self)
  s.kernels = set.rawValue
  state.storeBytes(of: s, as: ModelState.self)
  return Status.ok.c
}

@c @implementation
public func dgi_model_get_info(
  _ model: UnsafePointer<dgi_model>?, _ info: UnsafeMutablePointer<dgi_model_info>?
) -> dgi_status {
  guard let m = openedModel(model) else { return refused(model) }
  guard let info else { return Status.argument.c }
  let s = m.state
  info.pointee = dgi_model_info(
    format_major: UInt32(s.formatMajor), format_minor: UInt32(s.formatMinor),
    file_size: s.fileSize, checksum: s.checksum, layer_count: s.layerCount,
    class_count: s.classCount, parameter_count: s.parameterCount, macs: s.macs,
    scratch_size: Int(s.scratchSize),
    name: (s.base + Int(s.nameOffset)).assumingMemoryBound(to: CChar.self),
    metadata: (s.base + Int(s.metadataOffset)).assumingMemoryBound(to: CChar.self))
  return Status.ok.c
}

@c @implementation
public func dgi_model_get_layer(
  _ model: UnsafePointer<dgi_model>?, _ index: UInt32, _ info: UnsafeMutablePointer<dgi_layer_info>?
) -> dgi_status {
  guard let m = openedModel(model) else { return refused(model) }
  guard let info, index < m.state.layerCount else { return Status.argument.c }
  let d = m.layer(Int(index))
  let hasParams = d.kind == LayerKind.conv2d.rawValue || d.kind == LayerKind.dense.rawValue
  let fanIn = UInt64(d.kernelH) * UInt64(d.kernelW) * UInt64(d.inC)
  let outputs = UInt64(d.outH) * UInt64(d.outW) * UInt64(d.outC)
  info.pointee = dgi_layer_info(
    kind: dgi_layer_kind(rawValue: UInt32(d.kind)), flags: UInt32(d.flags),
    input_height: UInt32(d.inH), input_width: UInt32(d.inW), input_channels: UInt32(d.inC),
    output_height: UInt32(d.outH), output_width: UInt32(d.outW), output_channels: UInt32(d.outC),
    kernel_height: UInt32(d.kernelH), kernel_width: UInt32(d.kernelW),
    input_zero_point: Int32(d.inZeroPoint), output_zero_point: Int32(d.outZeroPoint),
    output_scale: Float(bitPattern: d.outScaleBits),
    parameter_count: hasParams ? fanIn * UInt64(d.outC) + UInt64(d.outC) : 0,
    macs: hasParams ? outputs * fanIn : 0)
  return Status.ok.c
}

/// The model behind a C pointer, if it was opened successfully.
@inline(__always)
func openedModel(_ model: UnsafePointer<dgi_model>?) -> ModelView? {
  guard let model else { return nil }
  let m = ModelView(raw: UnsafeRawPointer(model))
  return m.isOpen ? m : nil
}

/// What a call returns for a model that `openedModel` refused: no pointer
/// is DGI_ERROR_ARGUMENT, storage that is not open DGI_ERROR_NOT_OPEN.
@inline(__always)
func refused(_ model: UnsafePointer<dgi_model>?) -> dgi_status {
  model == nil ? Status.argument.c : Status.notOpen.c
}

// The preprocessing scratch holds 16-, 32- and 64-bit arrays, and Cortex-M
// faults on unaligned multi-word loads; the header promises any alignment,
// so 7 bytes of slack let the buffer be aligned to 8 here.
@c @implementation
public func dgi_preprocess_scratch_size(_ width: UInt32, _ height: UInt32) -> Int {
  guard let layout = PreprocessLayout(width: Int(width), height: Int(height)) else { return 0 }
  return layout.size + 7
}

@c @implementation
public func dgi_preprocess(
  _ image: UnsafePointer<UInt8>?, _ width: UInt32, _ height: UInt32, _ stride: Int, _ flags: UInt32,
  _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int, _ pixels: UnsafeMutablePointer<UInt8>?,
  _ info: UnsafeMutablePointer<dgi_preprocess_info>?
) -> dgi_status {
  guard let image, let pixels, scratchSize >= 0 else { return Status.argument.c }  // see runChecked
  guard let layout = PreprocessLayout(width: Int(width), height: Int(height)),
    imageArgumentsValid(width: width, height: height, stride: stride, flags: flags)
  else { return Status.image.c }
  guard let unaligned = scratch, scratchSize >= layout.size + 7 else { return Status.scratch.c }
  let scratch = unaligned + ((8 - Int(bitPattern: unaligned) & 7) & 7)
  var found = PreprocessFindings()
  // The result is built in scratch and copied out only on success.
  let result = (scratch + layout.result).assumingMemoryBound(to: UInt8.self)
  let status = preprocess(
    image, width: Int(width), height: Int(height), stride: stride, flags: flags, layout, scratch, result, &found)
  guard status == .ok else { return status.c }
  for i in 0..<FileLayout.inputSize { pixels[i] = result[i] }
  if let info {
    info.pointee = dgi_preprocess_info(
      ink: found.lightInk ? DGI_INK_LIGHT : DGI_INK_DARK, x: UInt32(found.x), y: UInt32(found.y),
      width: UInt32(found.width), height: UInt32(found.height), paper: UInt32(found.paper),
      components: UInt32(found.components), dropped: UInt32(found.dropped))
  }
  return Status.ok.c
}

/// The checks of an image's stride and flags shared by dgi_preprocess and
/// dgi_read_number (after their size checks: width and height are 1 or
/// more): rows at least `width` apart, known flags, and the last byte,
/// (height - 1) * stride + width, addressable.
func imageArgumentsValid(width: UInt32, height: UInt32, stride: Int, flags: UInt32) -> Bool {
  guard stride >= Int(width), flags <= DGI_INK_LIGHT,
    case let (rows, o1) = (Int(height) - 1).multipliedReportingOverflow(by: stride), !o1
  else { return false }
  return !rows.addingReportingOverflow(Int(width)).overflow
}
