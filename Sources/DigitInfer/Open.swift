/// Validates a .dgi file and decodes it into the caller's `dgi_model`
/// storage, in three steps: the header (`readHeader`), each layer in turn
/// (`readLayer`: its shape, then its parameters), and the scratch plan
/// (`planScratch`). Nothing is read before its bounds are checked; all size
/// arithmetic is done in UInt64 with overflow checks, so the same code is
/// safe on 32-bit microcontrollers. The storage is marked open only on
/// success. Built for size: its time goes to the CRC and the weight scan,
/// which are vector code either way.
@_optimize(size)
func openModel(_ out: UnsafeMutableRawPointer, _ bytes: UnsafeRawPointer, _ size: Int) -> Status {
  out.storeBytes(of: 0, as: UInt32.self)
  guard ModelStorage.fits else { return .unsupported }
  var header = FileHeader()
  var status = readHeader(bytes, size, &header)
  if status != .ok { return status }

  // The layers, each consuming what the previous produced. The input is
  // written to arena A (0); every layer but flatten writes the other arena.
  var current = Activation(h: header.inH, w: header.inW, c: header.inC, zeroPoint: FileLayout.inputZeroPoint)
  var arena: UInt32 = 0
  var arenaSize: (UInt64, UInt64) = (current.elements, 0)
  var workspace = WorkspacePlan()
  var paramsEnd = header.tableEnd
  var parameterCount: UInt64 = 0
  var macs: UInt64 = 0
  for i in 0..<header.layerCount {
    var desc = LayerDesc(input: arena, output: arena)
    status = readLayer(
      bytes, record: Int(header.table) + i * FileLayout.layerRecordSize, consuming: current,
      fileSize: header.fileSize, paramsEnd: &paramsEnd, &desc)
    if status != .ok { return status }
    let output = Activation(h: desc.outH, w: desc.outW, c: desc.outC, zeroPoint: desc.outZeroPoint)
    if desc.weights != 0 {
      let fanIn = UInt64(desc.kernelH) * UInt64(desc.kernelW) * UInt64(desc.inC)
      parameterCount += fanIn * UInt64(desc.outC) + UInt64(desc.outC)
      macs += output.elements * fanIn
    }
    // Working memory beside the arenas: each kernel family states its own.
    workspace.add(&desc)

    if desc.kind != LayerKind.flatten.rawValue {
      arena ^= 1
      desc.output = arena
      if arena == 0 {
        arenaSize.0 = max(arenaSize.0, output.elements)
      } else {
        arenaSize.1 = max(arenaSize.1, output.elements)
      }
    }
    out.storeBytes(
      of: desc, toByteOffset: ModelStorage.layersOffset + i * MemoryLayout<LayerDesc>.stride, as: LayerDesc.self)
    current = output
  }
  if current.h != 1 || current.w != 1 || current.c != header.classCount { return .malformed }

  var scratch: UInt64 = 0, workspaceOffset: UInt64 = 0
  status = planScratch(
    out, bytes, header.layerCount, arenas: arenaSize, workspace: workspace.bytes, &scratch, &workspaceOffset)
  if status != .ok { return status }

  let state = ModelState(
    cookie: ModelState.openCookie, layerCount: UInt32(header.layerCount), base: bytes,
    fileSize: UInt32(header.fileSize), checksum: header.checksum, formatMajor: header.major,
    formatMinor: bytes.u16(FileLayout.hMinor), classCount: UInt32(header.classCount),
    softmaxBeta: header.softmaxBeta, scratchSize: UInt32(scratch),
    workspace: UInt32(workspaceOffset), nameOffset: header.nameOffset, metadataOffset: header.metadataOffset,
    parameterCount: parameterCount, macs: macs, kernels: KernelSet.initial().rawValue,
    staging: workspace.staging)
  out.storeBytes(of: state, as: ModelState.self)
  return .ok
}

/// What `readHeader` checked and the later steps use.
struct FileHeader {
  var headerSize: UInt64 = 0
  var fileSize: UInt64 = 0
  var checksum: UInt32 = 0
  var major: UInt16 = 0
  var layerCount = 0
  var inH: UInt16 = 0, inW: UInt16 = 0, inC: UInt16 = 0
  var classCount: UInt16 = 0
  var softmaxBeta: UInt32 = 0
  /// The layer table's start and end.
  var table: UInt64 = 0
  var tableEnd: UInt64 = 0
  var nameOffset: UInt32 = 0
  var metadataOffset: UInt32 = 0
}

/// A tensor between two layers: its shape and zero point.
struct Activation {
  var h: UInt16, w: UInt16, c: UInt16
  var zeroPoint: Int8
  var elements: UInt64 { UInt64(h) * UInt64(w) * UInt64(c) }
}

/// Step 1: magic, version, sizes and CRC, the input and classes this
/// runtime serves, the layer table's bounds, the name and metadata strings.
@_optimize(size) @inline(__always)
func readHeader(_ bytes: UnsafeRawPointer, _ size: Int, _ h: inout FileHeader) -> Status {
  if size < 4 { return .truncated }
  if bytes.u32(FileLayout.hMagic) != FileLayout.magic { return .magic }
  if size < FileLayout.headerSize { return .truncated }
  h.major = bytes.u16(FileLayout.hMajor)
  if h.major != FileLayout.major { return .version }

  h.headerSize = UInt64(bytes.u32(FileLayout.hHeaderSize))
  h.fileSize = UInt64(bytes.u32(FileLayout.hFileSize))
  // A later minor version may grow the header; it stays 16-byte aligned.
  if h.headerSize < UInt64(FileLayout.headerSize) || h.headerSize % 16 != 0 { return .malformed }
  if h.fileSize > UInt64(size) { return .truncated }
  if h.fileSize < h.headerSize { return .malformed }

  // The CRC covers every byte of the file except the CRC field itself.
  h.checksum = bytes.u32(FileLayout.hCRC)
  let afterCRC = FileLayout.hCRC + 4
  if crc32(bytes, FileLayout.hCRC, bytes + afterCRC, Int(h.fileSize) - afterCRC) != h.checksum { return .checksum }

  if bytes.u32(FileLayout.hFlags) != 0 { return .unsupported }
  h.layerCount = Int(bytes.u16(FileLayout.hLayerCount))
  if h.layerCount == 0 { return .malformed }
  if h.layerCount > FileLayout.maxLayers { return .unsupported }
  h.inH = bytes.u16(FileLayout.hInputHeight)
  h.inW = bytes.u16(FileLayout.hInputWidth)
  h.inC = bytes.u16(FileLayout.hInputChannels)
  if h.inH == 0 || h.inW == 0 || h.inC == 0 { return .malformed }
  if Int(h.inH) != FileLayout.inputSide || Int(h.inW) != FileLayout.inputSide || h.inC != 1 { return .unsupported }
  h.classCount = bytes.u16(FileLayout.hClassCount)
  if h.classCount == 0 { return .malformed }
  if h.classCount > UInt16(FileLayout.maxClasses) { return .unsupported }
  if bytes.i8(FileLayout.hInputZeroPoint) != FileLayout.inputZeroPoint { return .unsupported }
  if bytes.u8(FileLayout.hInputZeroPoint + 1) != 0 { return .malformed }
  h.softmaxBeta = bytes.u32(FileLayout.hSoftmaxBeta)
  if h.softmaxBeta == 0 || h.softmaxBeta > 0x7FFF_FFFF { return .malformed }

  h.table = UInt64(bytes.u32(FileLayout.hLayerTable))
  guard h.table >= h.headerSize, h.table % 16 == 0,
    let tableEnd = add(h.table, UInt64(h.layerCount * FileLayout.layerRecordSize)),
    tableEnd <= h.fileSize
  else { return .malformed }
  h.tableEnd = tableEnd

  guard let name = stringOffset(bytes, FileLayout.hNameOffset, FileLayout.hNameLength, within: h),
    let metadata = stringOffset(bytes, FileLayout.hMetadataOffset, FileLayout.hMetadataLength, within: h)
  else { return .malformed }
  h.nameOffset = name
  h.metadataOffset = metadata
  return .ok
}

/// Where a string field starts, if it is in bounds, NUL-terminated and has
/// no NUL inside.
func stringOffset(_ bytes: UnsafeRawPointer, _ offsetField: Int, _ lengthField: Int, within h: FileHeader) -> UInt32? {
  let offset = UInt64(bytes.u32(offsetField))
  let length = UInt64(bytes.u32(lengthField))
  guard offset >= h.headerSize, let end = add(offset, length), end < h.fileSize else { return nil }
  if bytes.u8(Int(end)) != 0 { return nil }
  var i = offset
  while i < end {
    if bytes.u8(Int(i)) == 0 { return nil }
    i += 1
  }
  return UInt32(offset)
}

/// Step 2: the layer record at `r`, which must consume `input`: its kind,
/// flags and shape, then (conv and dense) its parameters, which start after
/// the previous layer's (`paramsEnd`). Fills `desc` but for its arenas.
@_optimize(size) @inline(__always)
func readLayer(
  _ bytes: UnsafeRawPointer, record r: Int, consuming input: Activation, fileSize: UInt64,
  paramsEnd: inout UInt64, _ desc: inout LayerDesc
) -> Status {
  guard let kind = LayerKind(rawValue: bytes.u8(r + FileLayout.lKind)) else { return .unsupported }
  let flags = bytes.u8(r + FileLayout.lFlags)
  if bytes.u32(r + FileLayout.lReserved) != 0 { return .malformed }
  if bytes.u16(r + FileLayout.lInH) != input.h || bytes.u16(r + FileLayout.lInW) != input.w
    || bytes.u16(r + FileLayout.lInC) != input.c
    || bytes.i8(r + FileLayout.lInZeroPoint) != input.zeroPoint
  { return .malformed }
  let output = Activation(
    h: bytes.u16(r + FileLayout.lOutH), w: bytes.u16(r + FileLayout.lOutW), c: bytes.u16(r + FileLayout.lOutC),
    zeroPoint: bytes.i8(r + FileLayout.lOutZeroPoint))
  let kh = bytes.u8(r + FileLayout.lKernelH), kw = bytes.u8(r + FileLayout.lKernelW)
  let sh = bytes.u8(r + FileLayout.lStrideH), sw = bytes.u8(r + FileLayout.lStrideW)
  let params = UInt64(bytes.u32(r + FileLayout.lParams))
  if output.h == 0 || output.w == 0 || output.c == 0 { return .malformed }

  var padH: UInt8 = 0, padW: UInt8 = 0
  switch kind {
  case .conv2d:
    if flags & ~(LayerFlag.relu | LayerFlag.samePadding) != 0 { return .unsupported }
    if sh != 1 || sw != 1 { return .unsupported }
    if kh == 0 || kw == 0 { return .malformed }
    if flags & LayerFlag.samePadding != 0 {
      if kh % 2 == 0 || kw % 2 == 0 { return .unsupported }
      padH = (kh - 1) / 2
      padW = (kw - 1) / 2
      if output.h != input.h || output.w != input.w { return .malformed }
    } else {
      if UInt16(kh) > input.h || UInt16(kw) > input.w { return .malformed }
      if output.h != input.h - UInt16(kh) + 1 || output.w != input.w - UInt16(kw) + 1 { return .malformed }
    }
  case .dense:
    if flags & ~LayerFlag.relu != 0 { return .unsupported }
    if input.h != 1 || input.w != 1 || output.h != 1 || output.w != 1 { return .malformed }
    if kh != 1 || kw != 1 || sh != 1 || sw != 1 { return .malformed }
  case .maxpool2d:
    if flags != 0 { return .unsupported }
    if kh != 2 || kw != 2 || sh != 2 || sw != 2 { return .unsupported }
    if output.h != input.h / 2 || output.w != input.w / 2 || output.c != input.c { return .malformed }
    if output.zeroPoint != input.zeroPoint || params != 0 { return .malformed }
  case .flatten:
    if flags != 0 { return .unsupported }
    if kh != 1 || kw != 1 || sh != 1 || sw != 1 { return .malformed }
    if output.h != 1 || output.w != 1 || UInt64(output.c) != input.elements { return .malformed }
    if output.zeroPoint != input.zeroPoint || params != 0 { return .malformed }
  }
  if output.elements > FileLayout.maxTensorElements { return .unsupported }

  desc.kind = kind.rawValue
  desc.flags = flags
  desc.inZeroPoint = input.zeroPoint
  desc.outZeroPoint = output.zeroPoint
  desc.kernelH = kh
  desc.kernelW = kw
  desc.padH = padH
  desc.padW = padW
  desc.inH = input.h; desc.inW = input.w; desc.inC = input.c
  desc.outH = output.h; desc.outW = output.w; desc.outC = output.c
  desc.outScaleBits = bytes.u32(r + FileLayout.lOutScale)
  guard kind == .conv2d || kind == .dense else { return .ok }
  let status = readParameters(bytes, at: params, fileSize: fileSize, paramsEnd: &paramsEnd, &desc)
  if status != .ok { return status }
  if kind == .conv2d && desc.paddedInputCount > FileLayout.maxTensorElements { return .unsupported }
  return .ok
}

/// Step 2, conv and dense: the weights, then bias, multipliers and shifts,
/// each on a 16-byte boundary, after the previous layer's; every value in
/// the range the kernels' arithmetic is proven for. Sets `desc`'s offsets.
@_optimize(size) @inline(__always)
func readParameters(
  _ bytes: UnsafeRawPointer, at params: UInt64, fileSize: UInt64, paramsEnd: inout UInt64, _ desc: inout LayerDesc
) -> Status {
  let outC = desc.outC
  let fanIn = UInt64(desc.kernelH) * UInt64(desc.kernelW) * UInt64(desc.inC)
  guard let weightCount = mul(fanIn, UInt64(outC)) else { return .malformed }
  let biasOffset = align16(params + weightCount)
  let multOffset = align16(biasOffset + 4 * UInt64(outC))
  let shiftOffset = align16(multOffset + 4 * UInt64(outC))
  let end = shiftOffset + UInt64(outC)
  if params % 16 != 0 || params < paramsEnd || end > fileSize { return .malformed }
  paramsEnd = end

  // Weights are symmetric int8: -128 is excluded, which bounds every
  // product |x - zp| * |w| by 255 * 127.
  // Sixty-four bytes per step where 16-byte vectors are native (SSE2
  // pcmpeqb, por, movmskps; Neon cmeq, orr), then the tail. Cortex-M (no
  // vector unit: more flash, no gain) and wasm (simd128 optional) scan
  // bytes. The mask is read as two words: any() allocates in Embedded
  // Swift 6.3, and comparing masks with != compiles to a scalar loop.
  var p = Int(params)
  let pEnd = Int(params + weightCount)
  #if arch(x86_64) || arch(arm64)
  let excluded = SIMD16<Int8>(repeating: -128)
  while pEnd - p >= 64 {
    let a = (bytes + p).loadUnaligned(as: SIMD16<Int8>.self) .== excluded
    let b = (bytes + p).loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self) .== excluded
    let c = (bytes + p).loadUnaligned(fromByteOffset: 32, as: SIMD16<Int8>.self) .== excluded
    let d = (bytes + p).loadUnaligned(fromByteOffset: 48, as: SIMD16<Int8>.self) .== excluded
    let found = unsafeBitCast(a .| b .| c .| d, to: SIMD2<UInt64>.self)
    if found[0] | found[1] != 0 { return .malformed }
    p += 64
  }
  #endif
  while p < pEnd {
    if bytes.i8(p) == -128 { return .malformed }
    p += 1
  }
  // No accumulator may overflow int32, whatever the input.
  let worstSum = fanIn * 255 * 127
  if worstSum > UInt64(Int32.max) { return .unsupported }
  let biasLimit = Int64(Int32.max) - Int64(worstSum)
  for c in 0..<Int(outC) {
    let b = Int64(bytes.i32(Int(biasOffset) + 4 * c))
    if b > biasLimit || b < -biasLimit { return .malformed }
    if bytes.i32(Int(multOffset) + 4 * c) < 0 { return .malformed }
    if bytes.u8(Int(shiftOffset) + c) > 31 { return .malformed }
  }
  desc.weights = UInt32(params)
  desc.bias = UInt32(biasOffset)
  desc.multiplier = UInt32(multOffset)
  desc.shift = UInt32(shiftOffset)
  return .ok
}

/// Step 3: the scratch plan. Arena A holds the input and every second
/// activation, arena B the others, then the kernels' workspace. Turns the
/// stored layers' arena indices (0, 1) into byte offsets and checks the
/// file's own scratch size against the format's need.
@_optimize(size) @inline(__always)
func planScratch(
  _ out: UnsafeMutableRawPointer, _ bytes: UnsafeRawPointer, _ layerCount: Int, arenas: (UInt64, UInt64),
  workspace: UInt64, _ scratch: inout UInt64, _ workspaceOffset: inout UInt64
) -> Status {
  // The file's scratch size is what the format itself requires (the two
  // arenas, docs/FORMAT.md); the kernels of this build may need more, and
  // the model asks for the larger of the two.
  let arenaB = align16(arenas.0)
  let fileScratch = UInt64(bytes.u32(FileLayout.hScratchSize))
  if fileScratch < arenaB + align16(arenas.1) { return .malformed }

  // Arena indices become byte offsets now that arena A's size is known.
  // The kernels that need a workspace (the optimized Swift kernels and the
  // microkernels) fuse a max-pool into the conv before it, so that conv's
  // output is never written: the workspace starts after what they do write
  // of arena B, often inside it (the reference net's arena B holds conv1's
  // 24x24x16 output, which only the reference kernels materialise).
  var fusedB: UInt64 = 0
  let layers = ModelView(raw: UnsafeRawPointer(out))
  for i in 0..<layerCount {
    let at = ModelStorage.layersOffset + i * MemoryLayout<LayerDesc>.stride
    var desc = layers.layer(i)
    if desc.output == 1 && desc.kind != LayerKind.flatten.rawValue && !layers.fusesPool(i, count: layerCount) {
      fusedB = max(fusedB, UInt64(desc.outH) * UInt64(desc.outW) * UInt64(desc.outC))
    }
    desc.input = desc.input == 0 ? 0 : UInt32(arenaB)
    desc.output = desc.output == 0 ? 0 : UInt32(arenaB)
    out.storeBytes(of: desc, toByteOffset: at, as: LayerDesc.self)
  }
  workspaceOffset = arenaB + align16(fusedB)
  scratch = max(fileScratch, workspaceOffset + workspace)
  if scratch > UInt64(Int32.max) { return .unsupported }
  return .ok
}

/// The workspace that follows the arenas: what the kernel sets built into
/// this library need, each stating its own, so that one scratch size serves
/// every CPU. The Swift kernels reuse one region for each layer in turn;
/// the microkernels give each conv layer its own packed weights.
struct WorkspacePlan {
  var swift: UInt64 = 0
  #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
  var micro = Microkernels.Plan()
  #endif

  mutating func add(_ d: inout LayerDesc) {
    #if !DIGITINFER_SMALL
    if !KernelSet.baselineSuperseded { swift = max(swift, Optimized.workspace(d)) }
    #endif
    #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
    if Microkernels.available { micro.add(&d) }
    #endif
  }

  /// Where the microkernels stage a conv's input, from the workspace.
  var staging: UInt32 {
    #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
    return UInt32(micro.packed)
    #else
    return 0
    #endif
  }

  var bytes: UInt64 {
    #if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
    return Microkernels.available ? max(swift, micro.bytes) : swift
    #else
    return swift
    #endif
  }
}
