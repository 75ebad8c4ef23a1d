// The Swift interface of the runtime: a safe layer over the C API of
// include/digitinfer.h (CAPI.swift) for Swift users of the package. It owns
// or borrows the model bytes, allocates the scratch memory of each call and
// turns dgi_status into a typed error. It allocates, so the builds that
// forbid allocations (tools/install.sh and tools/test-sanitizers.sh, with
// -D DIGITINFER_NO_ALLOCATIONS) leave it out; the firmware and wasm builds
// compile it, and their linkers keep it only where it is used. The C API
// never allocates in any build.
#if !DIGITINFER_NO_ALLOCATIONS

/// A failure reported by the runtime: a `dgi_status` code other than
/// `DGI_OK`, with the library's message.
///
/// Every throwing function of ``Model`` throws this type, so a `catch` can
/// match the codes without casting:
///
/// ```swift
/// do {
///   let model = try Model(bytes)
/// } catch .checksum {
///   print("the file is corrupt")
/// } catch {
///   print(error.message)
/// }
/// ```
///
/// A struct rather than an enum, so that a later library may add codes
/// without breaking a `switch` over them.
public struct DigitInferError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The runtime's code (never `.ok`).
  let code: Status

  private init(_ code: Status) { self.code = code }

  /// The error for a C status code.
  ///
  /// - Parameter status: A value returned by a `dgi_*` function.
  /// - Returns: The error, or `nil` for `DGI_OK` and values outside the enum.
  public init?(status: dgi_status) {
    guard let code = Status(rawValue: status.rawValue), code != .ok else { return nil }
    self.code = code
  }

  /// The C status code of this error.
  public var status: dgi_status { code.c }

  /// The library's English sentence for this error (`dgi_status_message`).
  public var message: String { String(cString: dgi_status_message(status)) }

  /// The same as ``message``.
  public var description: String { message }

  /// A size is wrong, e.g. a 28x28 input that is not 784 bytes (`DGI_ERROR_ARGUMENT`).
  public static let argument = DigitInferError(.argument)
  /// The model bytes are shorter than the file says it is (`DGI_ERROR_TRUNCATED`).
  public static let truncated = DigitInferError(.truncated)
  /// The bytes do not start with the .dgi magic (`DGI_ERROR_MAGIC`).
  public static let magic = DigitInferError(.magic)
  /// The file's major version is not one this library reads (`DGI_ERROR_VERSION`).
  public static let version = DigitInferError(.version)
  /// The CRC-32 does not match: the file is corrupt (`DGI_ERROR_CHECKSUM`).
  public static let checksum = DigitInferError(.checksum)
  /// The structure is inconsistent: offsets, shapes or ranges (`DGI_ERROR_MALFORMED`).
  public static let malformed = DigitInferError(.malformed)
  /// Well-formed, but uses a feature (or asks for a kernel set) this library or
  /// this CPU lacks (`DGI_ERROR_UNSUPPORTED`).
  public static let unsupported = DigitInferError(.unsupported)
  /// The scratch memory is missing or too small (`DGI_ERROR_SCRATCH`); the Swift
  /// API sizes scratch itself, so it does not throw this.
  public static let scratch = DigitInferError(.scratch)
  /// The image arguments of preprocessing are invalid: size, stride or too few
  /// bytes for them (`DGI_ERROR_IMAGE`).
  public static let image = DigitInferError(.image)
  /// The model record was not opened (`DGI_ERROR_NOT_OPEN`); a ``Model`` always is.
  public static let notOpen = DigitInferError(.notOpen)
  /// Preprocessing found nothing that looks like a digit: a blank or uniform
  /// image, or only specks (`DGI_ERROR_NO_INK`).
  public static let noInk = DigitInferError(.noInk)
  /// More digits than the caller's array holds (`DGI_ERROR_TOO_MANY`); the
  /// Swift API sizes its array itself, so it does not throw this.
  public static let tooMany = DigitInferError(.tooMany)
  /// Reading a number found ink, but the model read none of it as a digit:
  /// letters, a scribble, a drawing (`DGI_ERROR_NOT_A_DIGIT`; only with a
  /// model that has the "not a digit" class).
  public static let notADigit = DigitInferError(.notADigit)
}

/// Throws the error for `status` unless it is DGI_OK.
@inline(__always)
func check(_ status: dgi_status) throws(DigitInferError) {
  if status != DGI_OK { throw DigitInferError(status: status) ?? .argument }
}

/// An opened .dgi model, ready to classify 28x28 digit images.
///
/// Create one from the bytes of a model file, either copied into memory the
/// model owns (``init(_:kernels:)``) or borrowed from memory the caller keeps
/// alive (``init(borrowing:kernels:)``). Opening validates the whole file;
/// inference on a model that opened cannot fail on its content.
///
/// ```swift
/// let model = try Model(Array(fileData))
/// let result = try model.classify(pixels)   // 784 bytes, 0 = paper, 255 = ink
/// print(result.digit.map(String.init) ?? "not a digit", result.confidence)
/// ```
///
/// ## Threads
/// A `Model` is immutable once created, and each call allocates its own
/// scratch memory, so one model may be shared by any number of threads and
/// tasks at once. Choose kernels with ``using(_:)``, which returns a new model.
///
/// ## Memory
/// Every inference call allocates the model's scratch memory
/// (``Info/scratchSize``, 10 to 200 KiB for typical models) for the duration
/// of the call, on the stack where that is safe. Code that must not allocate
/// calls the C API (`dgi_classify` and friends) through ``withUnsafeRecord(_:)``
/// with a buffer of its own.
public final class Model: @unchecked Sendable {
  /// The side of the model input, in pixels (`DGI_INPUT_WIDTH`).
  public static let inputSide = Int(DGI_INPUT_WIDTH)
  /// The number of pixels of one model input, 28x28 (`DGI_INPUT_SIZE`).
  public static let inputSize = Int(DGI_INPUT_SIZE)
  /// The index of the "not a digit" class in an 11-class model's outputs
  /// (`DGI_CLASS_NOT_A_DIGIT`): ``infer(_:)`` returns its logit last.
  public static let notADigitClass = Int(DGI_CLASS_NOT_A_DIGIT)

  /// The opened record, heap-allocated so that its address is stable.
  let record: UnsafeMutablePointer<dgi_model>
  /// The model file the record refers to.
  let bytes: UnsafeRawBufferPointer
  /// The owned copy of the bytes (nil when borrowed), shared with the models
  /// that `using(_:)` makes from this one.
  private let storage: Storage?

  /// What the model file describes: name, metadata, sizes and counts.
  public let info: Info

  /// Copies a model file into memory the model owns and opens it.
  ///
  /// The bytes are copied into 16-byte-aligned storage, validated (magic,
  /// version, CRC-32, every offset and shape) and kept until the model and
  /// every model made from it by ``using(_:)`` are gone. Trailing bytes after
  /// the file are ignored.
  ///
  /// - Parameters:
  ///   - bytes: The contents of a .dgi file.
  ///   - kernels: The kernel set to run; ``Kernels/auto`` (the default) picks the
  ///     fastest this CPU supports. Every set gives the same answers.
  /// - Throws: ``DigitInferError/truncated``, ``DigitInferError/magic``,
  ///   ``DigitInferError/version``, ``DigitInferError/checksum``,
  ///   ``DigitInferError/malformed`` or ``DigitInferError/unsupported`` when the
  ///   bytes are not a model this library runs, or ``DigitInferError/unsupported``
  ///   when `kernels` names a set this library or CPU lacks.
  public convenience init(_ bytes: [UInt8], kernels: Kernels = .auto) throws(DigitInferError) {
    let storage = Storage(copying: bytes)
    try self.init(opening: storage.bytes, storage: storage, kernels: kernels)
  }

  /// Opens a model file in memory that the caller owns, without copying it.
  ///
  /// Use this for a model compiled into the executable, mapped from a file,
  /// or held in a buffer that lives for the whole program. The memory must
  /// stay allocated and unmodified for as long as this model, or any model
  /// made from it by ``using(_:)``, is used: the model reads its weights from
  /// it on every call. Any alignment will do; trailing bytes are ignored.
  ///
  /// - Parameters:
  ///   - bytes: The contents of a .dgi file, kept alive by the caller.
  ///   - kernels: The kernel set to run; ``Kernels/auto`` (the default) picks the
  ///     fastest this CPU supports.
  /// - Throws: ``DigitInferError/argument`` for an empty buffer without an
  ///   address, else the errors of ``init(_:kernels:)``.
  public convenience init(borrowing bytes: UnsafeRawBufferPointer, kernels: Kernels = .auto) throws(DigitInferError) {
    try self.init(opening: bytes, storage: nil, kernels: kernels)
  }

  private init(opening bytes: UnsafeRawBufferPointer, storage: Storage?, kernels: Kernels) throws(DigitInferError) {
    let record = UnsafeMutablePointer<dgi_model>.allocate(capacity: 1)
    record.initialize(to: dgi_model())
    let status = dgi_model_open(record, bytes.baseAddress, bytes.count)
    if status == DGI_OK, kernels != .auto {
      let chosen = dgi_model_set_kernels(record, kernels.c)
      if chosen != DGI_OK {
        record.deallocate()
        throw DigitInferError(status: chosen) ?? .unsupported
      }
    }
    guard status == DGI_OK else {
      record.deallocate()
      throw DigitInferError(status: status) ?? .malformed
    }
    self.record = record
    self.bytes = bytes
    self.storage = storage
    info = Info(record)
  }

  /// A second record for the same bytes (memcpy of an open record is open).
  private init(copyOf other: Model) {
    record = .allocate(capacity: 1)
    record.initialize(to: other.record.pointee)
    bytes = other.bytes
    storage = other.storage
    info = other.info
  }

  deinit {
    record.deallocate()
  }

  /// The same model running another kernel set.
  ///
  /// The new model shares this one's bytes (owned bytes stay alive for as long
  /// as either model does; borrowed bytes must outlive both). Every kernel set
  /// computes the same integers, so answers do not change; only speed does.
  ///
  /// - Parameter kernels: The set to run; ``Kernels/auto`` for the fastest this CPU supports.
  /// - Returns: A new model; this one keeps its set.
  /// - Throws: ``DigitInferError/unsupported`` if this library or this CPU lacks `kernels`.
  public func using(_ kernels: Kernels) throws(DigitInferError) -> Model {
    let copy = Model(copyOf: self)
    try check(dgi_model_set_kernels(copy.record, kernels.c))
    return copy
  }

  /// The kernel set this model runs (never ``Kernels/auto``).
  public var kernels: Kernels { Kernels(rawValue: dgi_model_kernels(record).rawValue) }

  // MARK: Inference

  /// Classifies one 28x28 grayscale image.
  ///
  /// - Parameter pixels: 784 bytes, row-major, 0 = background and 255 = full ink,
  ///   as in MNIST. ``preprocess(gray:width:height:stride:ink:)`` makes them from
  ///   a photo or drawing of any size.
  /// - Returns: The most probable digit (or "not a digit"), its probability and every class's.
  /// - Throws: ``DigitInferError/argument`` if `pixels` is not 784 bytes.
  public func classify(_ pixels: [UInt8]) throws(DigitInferError) -> Classification {
    try Self.checkInput(pixels.count, multiple: false)
    var result = dgi_result()
    let status = withScratch { dgi_classify(record, pixels, $0.baseAddress, $0.count, &result) }
    try check(status)
    return Classification(result, classes: info.classCount)
  }

  /// Runs the network on one 28x28 image and returns its raw int8 outputs.
  ///
  /// These integers are the bit-exact answer, identical on every platform and
  /// with every kernel set: compare them across devices.
  ///
  /// - Parameter pixels: 784 bytes, as for ``classify(_:)``.
  /// - Returns: One logit per class (``Info/classCount`` values), before
  ///   softmax; for an 11-class model the last is "not a digit"'s.
  /// - Throws: ``DigitInferError/argument`` if `pixels` is not 784 bytes.
  public func infer(_ pixels: [UInt8]) throws(DigitInferError) -> [Int8] {
    try Self.checkInput(pixels.count, multiple: false)
    var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
    let status = withScratch { dgi_infer(record, pixels, $0.baseAddress, $0.count, &logits) }
    try check(status)
    return Array(logits.prefix(info.classCount))
  }

  /// Classifies images stored one after another, faster per image than
  /// ``classify(_:)`` (work that does not depend on the image is done once).
  ///
  /// - Parameter pixels: `n` 28x28 images, 784 bytes each, back to back (`n` may be 0).
  /// - Returns: `n` answers, in order; each equals ``classify(_:)`` of its image.
  /// - Throws: ``DigitInferError/argument`` if the byte count is not a multiple of 784.
  public func classify(batch pixels: [UInt8]) throws(DigitInferError) -> [Classification] {
    try Self.checkInput(pixels.count, multiple: true)
    let count = pixels.count / Self.inputSize
    var results = [dgi_result](repeating: dgi_result(), count: count)
    let status = withScratch { dgi_classify_batch(record, pixels, count, $0.baseAddress, $0.count, &results) }
    try check(status)
    return results.map { Classification($0, classes: info.classCount) }
  }

  /// Classifies a list of 28x28 images with one batch call.
  ///
  /// - Parameter images: Images of 784 bytes each, as for ``classify(_:)``.
  /// - Returns: One answer per image, in order.
  /// - Throws: ``DigitInferError/argument`` if an image is not 784 bytes.
  public func classify(batch images: [[UInt8]]) throws(DigitInferError) -> [Classification] {
    var pixels: [UInt8] = []
    pixels.reserveCapacity(images.count * Self.inputSize)
    for image in images {
      try Self.checkInput(image.count, multiple: false)
      pixels += image
    }
    return try classify(batch: pixels)
  }

  /// Preprocesses a grayscale image of any size and classifies it.
  ///
  /// - Parameters:
  ///   - gray: 8-bit grayscale pixels, row-major, `stride` bytes per row.
  ///   - width: The image width in pixels, 1 to 32768.
  ///   - height: The image height in pixels, 1 to 32768.
  ///   - stride: Bytes from one row to the next (default: `width`).
  ///   - ink: Which way round the ink is (default: decided from the image).
  /// - Returns: The answer for the digit found in the image.
  /// - Throws: The errors of ``preprocess(gray:width:height:stride:ink:)``.
  public func classify(
    gray: [UInt8], width: Int, height: Int, stride: Int? = nil, ink: Ink = .auto
  ) throws(DigitInferError) -> Classification {
    try classify(Self.preprocess(gray: gray, width: width, height: height, stride: stride, ink: ink))
  }

  /// Turns a photo, scan or drawing of a digit into the model's 28x28 input,
  /// the way MNIST was made (`dgi_preprocess`): polarity, background removal,
  /// debris removal, fit to 20x20, stroke thickening, centring by mass.
  ///
  /// - Parameters:
  ///   - gray: 8-bit grayscale pixels, row-major; row `y` starts at `y * stride`.
  ///     At least `(height - 1) * stride + width` bytes.
  ///   - width: The image width in pixels, 1 to 32768.
  ///   - height: The image height in pixels, 1 to 32768.
  ///   - stride: Bytes from one row to the next, at least `width` (default: `width`).
  ///   - ink: Which way round the ink is (default: decided from the image).
  /// - Returns: 784 bytes, 0 = background and 255 = full ink, for ``classify(_:)``.
  /// - Throws: ``DigitInferError/image`` for a size out of range, a stride below
  ///   the width or too few bytes; ``DigitInferError/noInk`` for a blank image or
  ///   one with only specks.
  public static func preprocess(
    gray: [UInt8], width: Int, height: Int, stride: Int? = nil, ink: Ink = .auto
  ) throws(DigitInferError) -> [UInt8] {
    let stride = try checkImage(gray, width: width, height: height, stride: stride)
    var scratch = [UInt8](repeating: 0, count: dgi_preprocess_scratch_size(UInt32(width), UInt32(height)))
    var pixels = [UInt8](repeating: 0, count: inputSize)
    let status = dgi_preprocess(
      gray, UInt32(width), UInt32(height), stride, ink.rawValue, &scratch, scratch.count, &pixels, nil)
    try check(status)
    return pixels
  }

  /// The stride of a grayscale image (`width` if nil), after checking that
  /// the sizes are in range and `gray` holds every row; throws
  /// ``DigitInferError/image`` otherwise.
  static func checkImage(_ gray: [UInt8], width: Int, height: Int, stride: Int?) throws(DigitInferError) -> Int {
    let stride = stride ?? width
    let maxSide = Int(DGI_PREPROCESS_MAX_SIDE)
    guard (1...maxSide).contains(width), (1...maxSide).contains(height), stride >= width,
      case let (rows, overflow) = (height - 1).multipliedReportingOverflow(by: stride), !overflow,
      rows <= gray.count - width
    else { throw .image }
    return stride
  }

  // MARK: The C record

  /// Calls `body` with the opened C record, for C functions this API does not wrap
  /// (e.g. `dgi_model_get_layer`) or calls with a scratch buffer of the caller's.
  ///
  /// - Parameter body: Uses the record; it must not keep the pointer or change the record.
  /// - Returns: What `body` returns.
  /// - Throws: What `body` throws.
  public func withUnsafeRecord<R, E: Error>(_ body: (UnsafePointer<dgi_model>) throws(E) -> R) throws(E) -> R {
    try body(record)
  }

  /// Calls `body` with the model file the record refers to (owned or borrowed).
  ///
  /// - Parameter body: Reads the bytes; it must not keep the pointer.
  /// - Returns: What `body` returns.
  /// - Throws: What `body` throws.
  public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try body(bytes)
  }

  /// The version of the library, e.g. "1.1.0" (`dgi_version`).
  public static var version: String { String(cString: dgi_version()) }

  // MARK: Helpers

  /// `body` with fresh scratch memory of the model's scratch size.
  private func withScratch(_ body: (UnsafeMutableRawBufferPointer) -> dgi_status) -> dgi_status {
    withUnsafeTemporaryAllocation(byteCount: max(info.scratchSize, 1), alignment: 16, body)
  }

  /// 784 bytes, or (multiple) a whole number of 784-byte images.
  private static func checkInput(_ count: Int, multiple: Bool) throws(DigitInferError) {
    guard multiple ? count % inputSize == 0 : count == inputSize else { throw .argument }
  }
}

extension Model {
  /// The answer for one image.
  ///
  /// A model trained with the "not a digit" class (``Info/hasNotADigit``) may
  /// refuse an image: then ``digit`` is `nil`, so it cannot be mistaken for
  /// a digit, and ``bestDigit`` says which digit the image looks most like.
  ///
  /// ```swift
  /// let answer = try model.classify(pixels)
  /// if let digit = answer.digit {
  ///   print(digit, answer.confidence)
  /// } else {
  ///   print("not a digit (best guess \(answer.bestDigit))")
  /// }
  /// ```
  public struct Classification: Sendable, Equatable {
    /// The most probable digit, 0 to 9, or `nil` when the most probable class
    /// is "not a digit" (`DGI_NOT_A_DIGIT`). Models without that class always
    /// answer a digit.
    public let digit: Int?
    /// The probability of the answer: of ``digit``, or of "not a digit" when
    /// ``digit`` is `nil`.
    public let confidence: Float
    /// The probability of each digit, 0 first: `min(classCount, 10)` values
    /// (``Info/classCount``). With ``notADigitProbability`` they sum to 1 up to
    /// rounding: the softmax runs over every class.
    public let probabilities: [Float]
    /// The probability that the image is not a digit; 0 for a model without
    /// that class.
    public let notADigitProbability: Float
    /// The most probable digit, also when ``digit`` is `nil`; equal to
    /// ``digit`` otherwise.
    public let bestDigit: Int

    /// Whether the model says the image is not a digit (``digit`` is `nil`).
    public var notADigit: Bool { digit == nil }

    /// The probability of ``bestDigit``.
    public var bestConfidence: Float { probabilities.indices.contains(bestDigit) ? probabilities[bestDigit] : 0 }

    /// The winning class as the model numbers its outputs: the digit, or
    /// ``Model/notADigitClass`` (10), e.g. to compare with labels that use 10
    /// for non-digits.
    public var predictedClass: Int { digit ?? Model.notADigitClass }

    /// The answer that a C `dgi_result` holds.
    ///
    /// - Parameters:
    ///   - result: What `dgi_classify` filled in.
    ///   - classes: The model's class count (1 to 11): how many digit
    ///     probabilities to keep (at most 10).
    public init(_ result: dgi_result, classes: Int) {
      digit = result.digit == DGI_NOT_A_DIGIT ? nil : Int(result.digit)
      confidence = result.confidence
      probabilities = Swift.withUnsafeBytes(of: result.probabilities) { raw in
        (0..<max(0, min(classes, 10))).map { raw.load(fromByteOffset: 4 * $0, as: Float.self) }
      }
      notADigitProbability = result.not_a_digit
      bestDigit = Int(result.best_digit)
    }
  }

  /// What a model file describes (`dgi_model_get_info`).
  public struct Info: Sendable, Equatable {
    /// The model's name, as stored in the file (may be empty).
    public let name: String
    /// The file's metadata: UTF-8 `key=value` lines (may be empty).
    public let metadata: String
    /// The file's .dgi format major version.
    public let formatMajor: Int
    /// The file's .dgi format minor version.
    public let formatMinor: Int
    /// The file's size in bytes, as its header states.
    public let fileSize: Int
    /// The file's CRC-32, verified when the model was opened.
    public let checksum: UInt32
    /// The number of layers.
    public let layerCount: Int
    /// The number of classes the model tells apart (outputs of the last
    /// layer), 1 to 11: the digits 0 to `classCount - 1`, or with 11 the ten
    /// digits and "not a digit" (``Model/notADigitClass``).
    public let classCount: Int
    /// Whether the model has the "not a digit" class, so that it can refuse
    /// an image (``Classification/digit`` is then `nil`).
    public var hasNotADigit: Bool { classCount > Model.notADigitClass }
    /// Weights and biases.
    public let parameterCount: Int
    /// Multiply-accumulates per image.
    public let macs: Int
    /// Bytes of scratch memory each inference call uses (`dgi_model_scratch_size`).
    public let scratchSize: Int

    init(_ record: UnsafePointer<dgi_model>) {
      var info = dgi_model_info()
      _ = dgi_model_get_info(record, &info)
      name = info.name.map { String(cString: $0) } ?? ""
      metadata = info.metadata.map { String(cString: $0) } ?? ""
      formatMajor = Int(info.format_major)
      formatMinor = Int(info.format_minor)
      fileSize = Int(info.file_size)
      checksum = info.checksum
      layerCount = Int(info.layer_count)
      classCount = Int(info.class_count)
      parameterCount = Int(truncatingIfNeeded: info.parameter_count)
      macs = Int(truncatingIfNeeded: info.macs)
      scratchSize = info.scratch_size
    }
  }

  /// Which way round the ink of an image is, for preprocessing.
  public enum Ink: UInt32, Sendable, CaseIterable {
    /// Decide from the image: the paper is the majority (`DGI_INK_AUTO`).
    case auto = 0
    /// Dark ink on light paper: pen, pencil, printed scans (`DGI_INK_DARK`).
    case dark = 1
    /// Light ink on dark: chalk on a board, MNIST itself (`DGI_INK_LIGHT`).
    case light = 2
  }

  /// A kernel set: one implementation of the layers (`dgi_kernels`). Every
  /// set computes the same integers; they differ in speed and in the CPUs that
  /// run them.
  public struct Kernels: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `dgi_kernels` value.
    public let rawValue: UInt32

    /// A set from its `dgi_kernels` value.
    ///
    /// - Parameter rawValue: A `dgi_kernels` value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The fastest set this CPU supports.
    public static let auto = Kernels(rawValue: DGI_KERNELS_AUTO.rawValue)
    /// The plain definitions, on any CPU.
    public static let reference = Kernels(rawValue: DGI_KERNELS_REFERENCE.rawValue)
    /// Swift SIMD on any CPU: "sse2" on x86-64, "portable" elsewhere.
    public static let baseline = Kernels(rawValue: DGI_KERNELS_BASELINE.rawValue)
    /// x86-64 with AVX2.
    public static let avx2 = Kernels(rawValue: DGI_KERNELS_AVX2.rawValue)
    /// x86-64 with AVX-512 VNNI.
    public static let avx512vnni = Kernels(rawValue: DGI_KERNELS_AVX512VNNI.rawValue)
    /// x86-64 with 256-bit AVX-VNNI.
    public static let avxvnni = Kernels(rawValue: DGI_KERNELS_AVXVNNI.rawValue)
    /// AArch64 with the dot-product extension.
    public static let neondot = Kernels(rawValue: DGI_KERNELS_NEONDOT.rawValue)
    /// Cortex-M with the DSP extension.
    public static let dsp = Kernels(rawValue: DGI_KERNELS_DSP.rawValue)

    /// The sets this library contains and this CPU runs, reference first
    /// (`dgi_kernels_supported`).
    public static var supported: [Kernels] {
      let bits = dgi_kernels_supported()
      return (1..<32).filter { bits & (1 << $0) != 0 }.map { Kernels(rawValue: UInt32($0)) }
    }

    /// The set's name as `DIGITINFER_KERNELS` spells it ("reference", "sse2",
    /// "avx2", ...; "auto"), or "unknown" (`dgi_kernels_name`).
    public var name: String { String(cString: dgi_kernels_name(c)) }

    /// The same as ``name``.
    public var description: String { name }

    var c: dgi_kernels { dgi_kernels(rawValue: rawValue) }
  }
}

/// Owned model bytes: a 16-byte-aligned copy, freed with the last model using it.
private final class Storage {
  let bytes: UnsafeRawBufferPointer
  private let allocation: UnsafeMutableRawPointer

  init(copying source: [UInt8]) {
    let allocation = UnsafeMutableRawPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
    source.withUnsafeBytes { if let base = $0.baseAddress { allocation.copyMemory(from: base, byteCount: $0.count) } }
    self.allocation = allocation
    bytes = UnsafeRawBufferPointer(start: allocation, count: source.count)
  }

  deinit { allocation.deallocate() }
}

#endif
