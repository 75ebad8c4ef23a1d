/// Validates a .dgi file and decodes it into the caller's `dgi_model`
/// storage. Nothing is read before its bounds are checked; all size
/// arithmetic is done in UInt64 with overflow checks, so the same code is
/// safe on 32-bit microcontrollers. The storage is marked open only on
/// success. Built for size: its time goes to the CRC and the weight scan,
/// which are vector code either way.
@_optimize(size)
func openModel(_ out: UnsafeMutableRawPointer, _ bytes: UnsafeRawPointer, _ size: Int) -> Status {
  out.storeBytes(of: 0, as: UInt32.self)
  guard ModelStorage.fits else { return .unsupported }
  if size < 4 { return .truncated }
  if bytes.u32(FileLayout.hMagic) != FileLayout.magic { return .magic }
  if size < FileLayout.headerSize { return .truncated }
  let major = bytes.u16(FileLayout.hMajor)
  if major != FileLayout.major { return .version }

  let headerSize = UInt64(bytes.u32(FileLayout.hHeaderSize))
  let fileSize = UInt64(bytes.u32(FileLayout.hFileSize))
  // A later minor version may grow the header; it stays 16-byte aligned.
  if headerSize < UInt64(FileLayout.headerSize) || headerSize % 16 != 0 { return .malformed }
  if fileSize > UInt64(size) { return .truncated }
  if fileSize < headerSize { return .malformed }

  // The CRC covers every byte of the file except the CRC field itself.
  let checksum = bytes.u32(FileLayout.hCRC)
  let afterCRC = FileLayout.hCRC + 4
  if crc32(bytes, FileLayout.hCRC, bytes + afterCRC, Int(fileSize) - afterCRC) != checksum { return .checksum }

  if bytes.u32(FileLayout.hFlags) != 0 { return .unsupported }
  let layerCount = Int(bytes.u16(FileLayout.hLayerCount))
  if layerCount == 0 { return .malformed }
  if layerCount > FileLayout.maxLayers { return .unsupported }
  let inH = bytes.u16(FileLayout.hInputHeight)
  let inW = bytes.u16(FileLayout.hInputWidth)
  let inC = bytes.u16(FileLayout.hInputChannels)
  if inH == 0 || inW == 0 || inC == 0 { return .malformed }
  if Int(inH) != FileLayout.inputSide || Int(inW) != FileLayout.inputSide || inC != 1 { return .unsupported }
  let classCount = bytes.u16(FileLayout.hClassCount)
  if classCount == 0 { return .malformed }
  if classCount > UInt16(FileLayout.maxClasses) { return .unsupported }
  if bytes.i8(FileLayout.hInputZeroPoint) != FileLayout.inputZeroPoint { return .unsupported }
  if bytes.u8(FileLayout.hInputZeroPoint + 1) != 0 { return .malformed }
  let softmaxBeta = bytes.u32(FileLayout.hSoftmaxBeta)
  if softmaxBeta == 0 || softmaxBeta > 0x7FFF_FFFF { return .malformed }

  // Layer table.
  let table = UInt64(bytes.u32(FileLayout.hLayerTable))
  guard table >= headerSize, table % 16 == 0,
    let tableEnd = add(table, UInt64(layerCount * FileLayout.layerRecordSize)),
    tableEnd <= fileSize
  else { return .malformed }

  // Name and metadata: in bounds, NUL-terminated, no NUL inside.
  func checkString(_ offsetField: Int, _ lengthField: Int) -> UInt32? {
    let offset = UInt64(bytes.u32(offsetField))
    let length = UInt64(bytes.u32(lengthField))
    guard offset >= headerSize, let end = add(offset, length), end < fileSize else { return nil }
    if bytes.u8(Int(end)) != 0 { return nil }
    var i = offset
    while i < end {
      if bytes.u8(Int(i)) == 0 { return nil }
      i += 1
    }
    return UInt32(offset)
  }
  guard let nameOffset = checkString(FileLayout.hNameOffset, FileLayout.hNameLength),
    let metadataOffset = checkString(FileLayout.hMetadataOffset, FileLayout.hMetadataLength)
  else { return .malformed }

  // Walk the layers, checking that each consumes what the previous produced.
  var curH = inH, curW = inW, curC = inC
  var curZeroPoint = FileLayout.inputZeroPoint
  var curArena: UInt32 = 0  // the input is written to arena A
  var arenaSize: (UInt64, UInt64) = (UInt64(inH) * UInt64(inW) * UInt64(inC), 0)
  var workspace = WorkspacePlan()
  var paramsEnd = tableEnd
  var parameterCount: UInt64 = 0
  var macs: UInt64 = 0

  for i in 0..<layerCount {
    let r = Int(table) + i * FileLayout.layerRecordSize
    guard let kind = LayerKind(rawValue: bytes.u8(r + FileLayout.lKind)) else { return .unsupported }
    let flags = bytes.u8(r + FileLayout.lFlags)
    if bytes.u32(r + FileLayout.lReserved) != 0 { return .malformed }
    if bytes.u16(r + FileLayout.lInH) != curH || bytes.u16(r + FileLayout.lInW) != curW
      || bytes.u16(r + FileLayout.lInC) != curC
      || bytes.i8(r + FileLayout.lInZeroPoint) != curZeroPoint
    { return .malformed }
    let outH = bytes.u16(r + FileLayout.lOutH)
    let outW = bytes.u16(r + FileLayout.lOutW)
    let outC = bytes.u16(r + FileLayout.lOutC)
    let outZeroPoint = bytes.i8(r + FileLayout.lOutZeroPoint)
    let kh = bytes.u8(r + FileLayout.lKernelH), kw = bytes.u8(r + FileLayout.lKernelW)
    let sh = bytes.u8(r + FileLayout.lStrideH), sw = bytes.u8(r + FileLayout.lStrideW)
    let params = UInt64(bytes.u32(r + FileLayout.lParams))
    if outH == 0 || outW == 0 || outC == 0 { return .malformed }

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
        if outH != curH || outW != curW { return .malformed }
      } else {
        if UInt16(kh) > curH || UInt16(kw) > curW { return .malformed }
        if outH != curH - UInt16(kh) + 1 || outW != curW - UInt16(kw) + 1 { return .malformed }
      }
    case .dense:
      if flags & ~LayerFlag.relu != 0 { return .unsupported }
      if curH != 1 || curW != 1 || outH != 1 || outW != 1 { return .malformed }
      if kh != 1 || kw != 1 || sh != 1 || sw != 1 { return .malformed }
    case .maxpool2d:
      if flags != 0 { return .unsupported }
      if kh != 2 || kw != 2 || sh != 2 || sw != 2 { return .unsupported }
      if outH != curH / 2 || outW != curW / 2 || outC != curC { return .malformed }
      if outZeroPoint != curZeroPoint || params != 0 { return .malformed }
    case .flatten:
      if flags != 0 { return .unsupported }
      if kh != 1 || kw != 1 || sh != 1 || sw != 1 { return .malformed }
      if outH != 1 || outW != 1 || UInt64(outC) != UInt64(curH) * UInt64(curW) * UInt64(curC) {
        return .malformed
      }
      if outZeroPoint != curZeroPoint || params != 0 { return .malformed }
    }

    let outElements = UInt64(outH) * UInt64(outW) * UInt64(outC)
    if outElements > FileLayout.maxTensorElements { return .unsupported }

    var desc = LayerDesc(
      kind: kind.rawValue, flags: flags, inZeroPoint: curZeroPoint, outZeroPoint: outZeroPoint,
      kernelH: kh, kernelW: kw, padH: padH, padW: padW,
      inH: curH, inW: curW, inC: curC, outH: outH, outW: outW, outC: outC,
      input: curArena, output: curArena, weights: 0, bias: 0, multiplier: 0, shift: 0,
      outScaleBits: bytes.u32(r + FileLayout.lOutScale))

    if kind == .conv2d || kind == .dense {
      // Parameters: weights, then bias, multipliers and shifts, each
      // starting on a 16-byte boundary, after the previous layer's.
      let fanIn = UInt64(kh) * UInt64(kw) * UInt64(curC)
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
      parameterCount += weightCount + UInt64(outC)
      macs += outElements * fanIn

      if kind == .conv2d && desc.paddedInputCount > FileLayout.maxTensorElements { return .unsupported }
    }
    // Working memory beside the arenas: each kernel family states its own.
    workspace.add(&desc)

    if kind != .flatten {
      curArena ^= 1
      desc.output = curArena
      if curArena == 0 {
        arenaSize.0 = max(arenaSize.0, outElements)
      } else {
        arenaSize.1 = max(arenaSize.1, outElements)
      }
    }
    out.storeBytes(
      of: desc,
      toByteOffset: ModelStorage.layersOffset + i * MemoryLayout<LayerDesc>.stride,
      as: LayerDesc.self)
    curH = outH
    curW = outW
    curC = outC
    curZeroPoint = outZeroPoint
  }

  if curH != 1 || curW != 1 || curC != classCount { return .malformed }

  // The file's scratch size is what the format itself requires (the two
  // arenas, docs/FORMAT.md); the kernels of this build may need more, and
  // the model asks for the larger of the two.
  let arenaB = align16(arenaSize.0)
  let fileScratch = UInt64(bytes.u32(FileLayout.hScratchSize))
  if fileScratch < arenaB + align16(arenaSize.1) { return .malformed }

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
  let workspaceOffset = arenaB + align16(fusedB)
  let scratch = max(fileScratch, workspaceOffset + workspace.bytes)
  if scratch > UInt64(Int32.max) { return .unsupported }

  let state = ModelState(
    cookie: ModelState.openCookie, layerCount: UInt32(layerCount), base: bytes,
    fileSize: UInt32(fileSize), checksum: checksum, formatMajor: major,
    formatMinor: bytes.u16(FileLayout.hMinor), classCount: UInt32(classCount),
    softmaxBeta: softmaxBeta, scratchSize: UInt32(scratch),
    workspace: UInt32(workspaceOffset), nameOffset: nameOffset, metadataOffset: metadataOffset,
    parameterCount: parameterCount, macs: macs, kernels: KernelSet.initial().rawValue,
    staging: workspace.staging)
  out.storeBytes(of: state, as: ModelState.self)
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
