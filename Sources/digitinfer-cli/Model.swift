import ArgumentParser
import DigitInfer
import DigitInferBuiltinModel
import DigitInferImage
import Foundation

/// `--model FILE` and `--kernels NAME`, shared by every subcommand that runs a model.
struct ModelOptions: ParsableArguments {
  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("A .dgi model file (default: $DIGITINFER_MODEL, then the shipped mnist-int8.dgi).", valueName: "file"))
  var model: String?

  @OptionGroup var kernelOptions: KernelOptions

  static let environmentVariable = "DIGITINFER_MODEL"

  static let defaultModelHelp = """
    The model: --model FILE, else $\(environmentVariable), else models/mnist-int8.dgi of the package the executable was built in (<package>/.build/<triple>/<config>/digitinfer-cli), else <prefix>/share/digitinfer/mnist-int8.dgi for an installed <prefix>/bin/digitinfer-cli, else models/mnist-int8.dgi of the package in the current directory, else the copy of models/mnist-int8.dgi compiled into the executable ("built-in"), so that it works anywhere on its own. --verbose and inspect say which one was used.
    """

  /// Opens the chosen model and applies --kernels, or fails with a
  /// one-line reason naming it.
  func load() throws(Failure) -> LoadedModel {
    let loaded = try Self.load(model.map(FileName.init(argument:)))
    try kernelOptions.apply(to: loaded)
    return loaded
  }

  /// `file` if given, else the default model (see `defaultModelHelp`).
  static func load(_ file: FileName?) throws(Failure) -> LoadedModel {
    if let file { return try LoadedModel(file: file) }
    // getenv, not ProcessInfo: the exact bytes of a name that is not UTF-8.
    if let value = getenv(environmentVariable), value.pointee != 0 {
      return try LoadedModel(file: FileName(cString: value))
    }
    if let path = DefaultModel.file() { return try LoadedModel(file: FileName(path)) }
    return try LoadedModel.builtin()
  }
}

/// `--kernels NAME`: which kernel set (implementation of the layers) the
/// model runs, applied with dgi_model_set_kernels() after dgi_model_open().
struct KernelOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Kernel set: auto (the fastest this CPU supports), reference, sse2, portable, avx2, avxvnni, avx512vnni, neondot or dsp (default: $DIGITINFER_KERNELS, else auto). Answers are identical with every set; inspect lists the supported ones.",
      valueName: "name"))
  var kernels: String?

  static let environmentVariable = "DIGITINFER_KERNELS"

  func validate() throws {
    if let kernels { _ = try Kernels.parse(kernels, option: "--kernels") }
  }

  /// Makes `model` run the set named by --kernels; without the option the
  /// model keeps the library's choice ($DIGITINFER_KERNELS, else the fastest).
  func apply(to model: LoadedModel) throws(Failure) {
    guard let kernels else {
      Kernels.warnAboutEnvironment(model: model)
      return
    }
    let chosen: dgi_kernels
    do {
      chosen = try Kernels.parse(kernels, option: "--kernels")
    } catch {
      throw Failure(error.message, status: ExitStatus.usage)
    }
    do {
      model.model = try model.model.using(Model.Kernels(rawValue: chosen.rawValue))
    } catch {
      throw Failure(
        "--kernels \(kernels): \(error.message) (supported here: \(Kernels.supportedNames.joined(separator: ", ")))",
        status: error == .unsupported ? ExitStatus.usage : ExitStatus.fatal)
    }
  }
}

extension KernelOptions {
  /// Why `model` runs its set, in words: "--kernels", "$DIGITINFER_KERNELS",
  /// or "the fastest this CPU supports".
  func origin(of model: LoadedModel, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let kernels, kernels != "auto" { return "chosen by --kernels" }
    if kernels == nil, let value = environment[Self.environmentVariable], value == model.kernelsName {
      return "chosen by $\(Self.environmentVariable)"
    }
    return "the fastest this CPU supports"
  }
}

/// The library's kernel sets, by the names DIGITINFER_KERNELS and
/// dgi_kernels_name() use.
enum Kernels {
  /// Every dgi_kernels value but AUTO that the library has a name for, in
  /// the enum's order (asked of the library, so that the list follows it).
  static let all: [dgi_kernels] = (1..<32).map { dgi_kernels(rawValue: $0) }.filter { name($0) != "unknown" }
  /// Every name the option takes, on any platform ("sse2" is the baseline
  /// set on x86-64, "portable" elsewhere).
  static let knownNames = ["auto", "reference", "sse2", "portable", "avx2", "avx512vnni", "avxvnni", "neondot", "dsp"]

  static func name(_ kernels: dgi_kernels) -> String { String(cString: dgi_kernels_name(kernels)) }

  /// The sets this library holds and this CPU runs (dgi_kernels_supported).
  static var supported: [dgi_kernels] {
    let bits = dgi_kernels_supported()
    return all.filter { $0.rawValue < 32 && bits & (1 << $0.rawValue) != 0 }
  }

  static var supportedNames: [String] { supported.map(name) }

  /// The set `text` names ("auto" is DGI_KERNELS_AUTO), if this CPU runs it;
  /// else a usage error naming the supported sets.
  static func parse(_ text: String, option: String) throws(ValidationError) -> dgi_kernels {
    if text == "auto" { return DGI_KERNELS_AUTO }
    let supportedList = "supported here: auto, " + supportedNames.joined(separator: ", ")
    if let set = supported.first(where: { name($0) == text }) { return set }
    if knownNames.contains(text) || all.contains(where: { name($0) == text }) {
      throw ValidationError("\(option) \(text): this library or this CPU lacks that kernel set (\(supportedList))")
    }
    throw ValidationError("\(option) \(text): unknown kernel set (\(supportedList))")
  }

  /// A note on standard error when $DIGITINFER_KERNELS names a set the
  /// library ignores (it then runs the fastest), so that a comparison is
  /// not silently made against the wrong set.
  static func warnAboutEnvironment(model: LoadedModel, environment: [String: String] = ProcessInfo.processInfo.environment) {
    guard let value = environment[KernelOptions.environmentVariable], !value.isEmpty, value != "auto" else { return }
    #if arch(x86_64)
    if supportedNames.contains(value) { return }
    Stderr.error(
      "warning: \(KernelOptions.environmentVariable)=\(value) names no kernel set this CPU supports (\(supportedNames.joined(separator: ", "))); running \(model.kernelsName)")
    #else
    Stderr.error("warning: \(KernelOptions.environmentVariable) is read on x86-64 only; running \(model.kernelsName) (use --kernels)")
    #endif
  }
}

/// Where the shipped default model is looked for on disk.
enum DefaultModel {
  static let fileName = "mnist-int8.dgi"

  /// The first default location holding the model, or nil (use the built-in copy).
  static func file() -> String? {
    candidates().first { FileManager.default.isReadableFile(atPath: $0) }
  }

  static func candidates() -> [String] {
    var result: [String] = []
    if let executable = executableDirectory() {
      // A SwiftPM build: <package>/<scratch>/<triple>/<config>/digitinfer-cli.
      let package = executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      if FileManager.default.fileExists(atPath: package.appendingPathComponent("Package.swift").path) {
        result.append(package.appendingPathComponent("models/\(fileName)").path)
      }
      // An installation: <prefix>/bin/digitinfer-cli.
      result.append(executable.deletingLastPathComponent().appendingPathComponent("share/digitinfer/\(fileName)").path)
    }
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    if FileManager.default.fileExists(atPath: cwd.appendingPathComponent("Package.swift").path) {
      result.append(cwd.appendingPathComponent("models/\(fileName)").path)
    }
    return result.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
  }

  /// The directory of the running executable, symbolic links resolved
  /// (so .build/debug/digitinfer-cli counts as .build/<triple>/debug/).
  static func executableDirectory() -> URL? {
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: path).deletingLastPathComponent()
    }
    #endif
    guard let url = Bundle.main.executableURL else { return nil }
    return url.resolvingSymlinksInPath().deletingLastPathComponent()
  }
}

/// An opened model (the library's `Model`, which owns a copy of a file's
/// bytes or borrows the built-in copy) and where it came from.
final class LoadedModel: @unchecked Sendable {
  /// The file, or nil for the copy compiled into the executable.
  let file: FileName?
  /// The file as text (FileName.display), or "built-in".
  var source: String { file?.display ?? Self.builtinName }
  /// The opened model; `KernelOptions.apply` replaces it, before any use, by
  /// the same model running the chosen kernels.
  var model: Model

  static let builtinName = "built-in"
  /// The largest model file read; the format's sizes are 32-bit.
  static let maximumFileBytes = 64 << 20

  /// Opens a model by `open`; a failure names the source.
  private init(file: FileName?, _ open: () throws(DigitInferError) -> Model) throws(Failure) {
    self.file = file
    do {
      model = try open()
    } catch {
      throw Failure("\(file?.display ?? Self.builtinName): \(error.message)")
    }
  }

  /// Reads and opens a model file.
  convenience init(file: FileName) throws(Failure) {
    let data: [UInt8]
    do {
      data = try InputFile.read(file, limit: Self.maximumFileBytes, what: "a model")
    } catch {
      throw Failure(error.description)
    }
    if data.isEmpty { throw Failure("\(file.display): empty file, not a .dgi model") }
    try self.init(file: file) { () throws(DigitInferError) in try Model(data) }
  }

  /// The copy of models/mnist-int8.dgi compiled into the executable, read in
  /// place (it lives as long as the process).
  static func builtin() throws(Failure) -> LoadedModel {
    let (pointer, size) = builtinBytes()
    return try LoadedModel(file: nil) { () throws(DigitInferError) in
      try Model(borrowing: UnsafeRawBufferPointer(start: pointer, count: size))
    }
  }

  static func builtinBytes() -> (UnsafeRawPointer, Int) {
    var size = 0
    let pointer = digitinfer_builtin_model(&size)!
    return (UnsafeRawPointer(pointer), size)
  }

  /// The model's size in bytes of scratch (dgi_model_scratch_size).
  var scratchSize: Int { model.info.scratchSize }

  /// "built-in (models/mnist-int8.dgi compiled into digitinfer-cli)" or the path.
  var sourceDescription: String {
    file == nil ? "built-in (models/\(DefaultModel.fileName) compiled into digitinfer-cli)" : source
  }

  /// The "model" field of a JSON report (with "model_bytes" if the name is not UTF-8: FileName.jsonFields).
  var jsonFields: [(String, String)] {
    file?.jsonFields("model") ?? [("model", JSON.string(Self.builtinName))]
  }

  /// `jsonFields` in the --help of the commands that print them.
  static let jsonHelp = "model (the file, or \"built-in\"; with model_bytes for a file name that is not UTF-8, as classify --help says of \"file\")"

  var info: dgi_model_info {
    var info = dgi_model_info()
    _ = model.withUnsafeRecord { dgi_model_get_info($0, &info) }
    return info
  }

  /// The kernel set the model runs (dgi_model_kernels).
  var kernels: dgi_kernels { dgi_kernels(rawValue: model.kernels.rawValue) }
  /// Its name, as --kernels and DIGITINFER_KERNELS spell it.
  var kernelsName: String { model.kernels.name }

  func layer(_ index: UInt32) -> dgi_layer_info? {
    var layer = dgi_layer_info()
    return model.withUnsafeRecord { dgi_model_get_layer($0, index, &layer) } == DGI_OK ? layer : nil
  }
}

/// read(2), named apart from InputFile.read.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

/// Reading whole input files with one-line errors and a size cap.
enum InputFile {
  /// Why a file could not be read; `description` is `<file>: <reason>`.
  struct Error: Swift.Error, CustomStringConvertible {
    let file: FileName
    let reason: String
    var description: String { "\(file.display): \(reason)" }
  }

  /// `what` names the expected kind with its article: "an image", "a model".
  /// Opened by the name's exact bytes and without blocking (O_NONBLOCK:
  /// opening a FIFO with no writer would wait forever), then only a regular
  /// file is read: a FIFO, device or socket among the inputs is an error
  /// for that input alone.
  /// Returns the bytes as the decoders take them: one copy of the file,
  /// which for an image near the size limit is most of the memory used.
  static func read(_ file: FileName, limit: Int, what: String) throws(Error) -> [UInt8] {
    func failure(_ reason: String) -> Error { Error(file: file, reason: reason) }
    let fd = file.withCString { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
    guard fd >= 0 else { throw failure(FileReading.openFailure(errno)) }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw failure("cannot read: \(String(cString: strerror(errno)))") }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw failure("is a directory, expected \(what) file")
    default: throw failure("not a regular file (a FIFO, device or socket), expected \(what) file")
    }
    if Int(status.st_size) > limit {
      throw failure("\(status.st_size) bytes, over the \(limit >> 20) MiB limit for \(what) file")
    }
    // At most limit + 1 bytes, so a file that grows while read cannot exhaust memory.
    var data = [UInt8](repeating: 0, count: min(Int(status.st_size), limit) + 1)
    var count = 0
    while count < data.count {
      let n = data.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress! + count, $0.count - count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw failure("cannot read: \(String(cString: strerror(errno)))") }
      if n == 0 { break }
      count += n
      if count == data.count && count <= limit {
        data += [UInt8](repeating: 0, count: min(2 * data.count, limit + 1) - data.count)
      }
    }
    guard count <= limit else { throw failure("over the \(limit >> 20) MiB limit for \(what) file") }
    data.removeLast(data.count - count)
    return data
  }
}
