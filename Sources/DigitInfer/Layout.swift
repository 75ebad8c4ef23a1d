/// The .dgi file layout (docs/FORMAT.md is the normative description).
enum FileLayout {
  static let magic: UInt32 = 0x4649_4744  // "DGIF"
  static let major = UInt16(DGI_FORMAT_MAJOR)  // any minor is read
  static let headerSize = 64
  static let layerRecordSize = 32
  static let maxLayers = Int(DGI_MAX_LAYERS)
  static let maxClasses = Int(DGI_MAX_CLASSES)
  /// The digits' classes are 0...9; an 11-class model's last is "not a
  /// digit" (DGI_CLASS_NOT_A_DIGIT, format 1.2).
  static let digitClasses = 10
  static let notADigitClass = Int(DGI_CLASS_NOT_A_DIGIT)
  /// The model input: DGI_INPUT_WIDTH x DGI_INPUT_HEIGHT (square), DGI_INPUT_SIZE bytes.
  static let inputSide = Int(DGI_INPUT_WIDTH)
  static let inputSize = Int(DGI_INPUT_SIZE)
  static let inputZeroPoint: Int8 = -128
  /// The largest tensor the runtime accepts, so that every index fits a
  /// 32-bit Int on microcontrollers.
  static let maxTensorElements: UInt64 = 1 << 24

  // Header field offsets.
  static let hMagic = 0, hMajor = 4, hMinor = 6, hHeaderSize = 8, hFileSize = 12
  static let hCRC = 16, hFlags = 20, hLayerCount = 24, hInputHeight = 26
  static let hInputWidth = 28, hInputChannels = 30, hClassCount = 32
  static let hInputZeroPoint = 34, hSoftmaxBeta = 36, hScratchSize = 40
  static let hLayerTable = 44, hNameOffset = 48, hNameLength = 52
  static let hMetadataOffset = 56, hMetadataLength = 60

  // Layer record field offsets.
  static let lKind = 0, lFlags = 1, lInZeroPoint = 2, lOutZeroPoint = 3
  static let lInH = 4, lInW = 6, lInC = 8, lOutH = 10, lOutW = 12, lOutC = 14
  static let lKernelH = 16, lKernelW = 17, lStrideH = 18, lStrideW = 19
  static let lParams = 20, lOutScale = 24, lReserved = 28
}

enum LayerKind: UInt8 {
  case conv2d = 1
  case maxpool2d = 2
  case dense = 3
  case flatten = 4
}

enum LayerFlag {
  static let relu: UInt8 = 1
  static let samePadding: UInt8 = 2
}

/// One validated layer, decoded once by `dgi_model_open` so that inference
/// does no parsing. Offsets rather than pointers keep the record the same
/// size on 32- and 64-bit targets. 52 bytes.
struct LayerDesc {
  var kind: UInt8 = 0, flags: UInt8 = 0
  var inZeroPoint: Int8 = 0, outZeroPoint: Int8 = 0
  var kernelH: UInt8 = 0, kernelW: UInt8 = 0, padH: UInt8 = 0, padW: UInt8 = 0
  var inH: UInt16 = 0, inW: UInt16 = 0, inC: UInt16 = 0
  var outH: UInt16 = 0, outW: UInt16 = 0, outC: UInt16 = 0
  /// Byte offsets of the input and output tensors in the scratch buffer.
  var input: UInt32 = 0, output: UInt32 = 0
  /// Byte offsets in the file of the parameter arrays (0 when absent), and
  /// the output scale's Float bits.
  var weights: UInt32 = 0, bias: UInt32 = 0, multiplier: UInt32 = 0, shift: UInt32 = 0
  var outScaleBits: UInt32 = 0
  /// Byte offset, from the workspace, of this layer's packed weights for
  /// the microkernel sets (MicrokernelEngine.swift); every conv has its own, so that a
  /// batch packs them once.
  var packed: UInt32 = 0

  var relu: Bool { flags & LayerFlag.relu != 0 }

  /// Elements of the input with its padding materialised, as the kernels
  /// stage a conv's input (open() bounds it by maxTensorElements).
  var paddedInputCount: UInt64 {
    (UInt64(inH) + 2 * UInt64(padH)) * (UInt64(inW) + 2 * UInt64(padW)) * UInt64(inC)
  }
}

/// The part of `dgi_model` before the layer table.
struct ModelState {
  static let openCookie: UInt32 = 0x4F50_454E  // "OPEN"
  var cookie: UInt32
  var layerCount: UInt32
  var base: UnsafeRawPointer
  var fileSize: UInt32
  var checksum: UInt32
  var formatMajor: UInt16
  var formatMinor: UInt16
  var classCount: UInt32
  var softmaxBeta: UInt32
  var scratchSize: UInt32
  /// Scratch offset of the workspace of the optimized kernels and the
  /// microkernels (arena A is at 0, then arena B; the workspace starts
  /// after the part of arena B that those kernels write, see Open.swift).
  var workspace: UInt32
  var nameOffset: UInt32
  var metadataOffset: UInt32
  var parameterCount: UInt64
  var macs: UInt64
  /// The `KernelSet` inference runs, chosen at open (Dispatch.swift).
  var kernels: UInt32
  /// Offset, from the workspace, of the microkernels' staging area.
  var staging: UInt32
}

/// Where the state and the layer descriptors live inside the caller's
/// `dgi_model` storage (8-byte aligned, DGI_MODEL_WORDS * 8 bytes).
enum ModelStorage {
  static let layersOffset = 80
  static let bytes = Int(DGI_MODEL_WORDS) * 8
  static var fits: Bool {
    MemoryLayout<ModelState>.size <= layersOffset
      && layersOffset + FileLayout.maxLayers * MemoryLayout<LayerDesc>.stride <= bytes
      && MemoryLayout<LayerDesc>.alignment <= 8 && MemoryLayout<ModelState>.alignment <= 8
  }
}

/// A read-only view of an opened model: the state and its layers.
struct ModelView {
  let raw: UnsafeRawPointer

  var state: ModelState { raw.load(as: ModelState.self) }
  var isOpen: Bool { raw.load(as: UInt32.self) == ModelState.openCookie }

  @inline(__always) func layer(_ i: Int) -> LayerDesc {
    raw.load(
      fromByteOffset: ModelStorage.layersOffset + i * MemoryLayout<LayerDesc>.stride,
      as: LayerDesc.self)
  }

  /// Whether layer `i` (of `count`) is a conv that the optimized kernels and
  /// the microkernels run fused with the max-pool after it, never writing
  /// its own output. The one rule for both engines and for where open()
  /// places their workspace.
  @inline(__always) func fusesPool(_ i: Int, count: Int) -> Bool {
    layer(i).kind == LayerKind.conv2d.rawValue && i + 1 < count
      && layer(i + 1).kind == LayerKind.maxpool2d.rawValue
  }
}
