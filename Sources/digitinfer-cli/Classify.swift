import ArgumentParser
import DigitInfer
import DigitInferImage
import DigitInferSupport
import Foundation

/// The default subcommand: one answer per image.
struct Classify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Classify the digit in each image (the default subcommand).",
    discussion: """
      Prints one line per image: the file, the digit, its probability, and the three most probable digits. A model trained with the "not a digit" class (11 classes, see inspect) may instead answer "not a digit (87.0%; best guess 4, 11.0%)": the probability that the image is no digit, and the digit it looks most like with that digit's probability. Each image is decoded to grey, turned into the model's 28x28 input by dgi_preprocess() (background removal, debris removal, fitting, centring), and classified by dgi_classify(), exactly as the C API does.

      Arguments: image files (\(InputExpansion.extensionList)), directories (their image files with those extensions, sorted by name, not recursively, hidden files skipped), or - for one image read from standard input.

      --json prints JSON Lines instead, one object per image, in argument order:
        {"file": "a.png", "digit": 4, "not_a_digit": false, "confidence": 0.9979, "probabilities": [p0, ..., p9]}
        {"file": "b.png", "digit": null, "not_a_digit": true, "confidence": 0.87, "best_digit": 4, "best_confidence": 0.11, "not_a_digit_probability": 0.87, "probabilities": [p0, ..., p9]}
        {"file": "c.png", "error": "reason"}
      "confidence" is the probability of the answer: of the digit, or of "not a digit". "probabilities" are the ten digits'. Only a model with the "not a digit" class refuses images; its answers also carry "not_a_digit_probability".
      Numbers are the shortest decimals that read back as the same 32-bit floats. Errors also go to standard error as one line.

      File names may be any bytes; files are opened by their exact names. Text output (answers, errors, --verbose) shows a name with \\ as \\\\, newline, carriage return and tab as \\n, \\r, \\t, and each byte of another control character or of invalid UTF-8 as \\xNN, so that every image is one line. In --json, "file" is the exact name when it is valid UTF-8; otherwise it is that escaped form and "file_bytes" holds the exact bytes in hexadecimal. --save-preprocessed names each PNG after the escaped name.

      \(ModelOptions.defaultModelHelp)

      \(ExitStatus.help)

      Examples:
        digitinfer-cli models/samples/pen-on-paper-4.jpg
        digitinfer-cli --show --ink dark photo.jpg
        digitinfer-cli --json models/samples/ | jq .digit
        cat scan.pgm | digitinfer-cli -
        digitinfer-cli --save-preprocessed /tmp/inputs --verbose *.png
        digitinfer-cli --model my-model.dgi drawing.png
      """)

  @OptionGroup var modelOptions: ModelOptions

  @OptionGroup var imageOptions: ImageOptions

  @Flag(help: "Draw each image's 28x28 model input below its answer: what the model saw.")
  var show = false

  @Flag(help: "With --show, draw with ASCII characters (the default when standard output is not a terminal).")
  var ascii = false

  @Option(help: ArgumentHelp("Write each image's 28x28 model input as a PNG into this directory (made if missing).", valueName: "dir"))
  var savePreprocessed: String?

  @Flag(name: .shortAndLong, help: "Report the model and kernel set used and what preprocessing found, on standard error.")
  var verbose = false

  func validate() throws {
    if imageOptions.json && show { throw ValidationError("--show draws for people and --json is for programs: use one of them") }
    if ascii && !show { throw ValidationError("--ascii applies to --show") }
    try FileName.requireUTF8(savePreprocessed, "--save-preprocessed")
  }

  func run() throws {
    try reportingFailures {
      let model = try modelOptions.load()
      if verbose {
        Stderr.line("model: \(model.sourceDescription)")
        Stderr.line("kernels: \(model.kernelsName) (\(modelOptions.kernelOptions.origin(of: model)); this CPU supports \(Kernels.supportedNames.joined(separator: ", ")))")
      }
      if let savePreprocessed { try OutputDirectory.make(savePreprocessed) }
      let asciiPreview = Preview.useASCII(forced: ascii)
      var pipeline = Pipeline(model: model)
      var names = UniqueNames()

      // One dgi_classify per image, not dgi_classify_batch: each answer is
      // printed as soon as its file is done, in order with the errors and
      // --verbose lines on standard error, and decoding and preprocessing a
      // file cost far more than the few microseconds a batch would save.
      try imageOptions.forEach { item in
        switch classify(item, pipeline: &pipeline, names: &names) {
        case .success(let answer):
          if imageOptions.json {
            Stdout.line(JSON.object(
              item.name.jsonFields("file") + answer.result.jsonFields(modelHasNotADigit: model.model.info.hasNotADigit)))
          } else {
            let top = answer.result.top(3).map { "\($0.digit) \(Percent.text($0.probability))" }.joined(separator: ", ")
            Stdout.line("\(item.name.display): \(answer.result.answerText)  top 3: \(top)")
            if show { Stdout.line(Preview.render(answer.input, ascii: asciiPreview)) }
          }
          return nil
        case .failure(let error):
          return error
        }
      }
    }
  }

  private func classify(
    _ item: InputItem, pipeline: inout Pipeline, names: inout UniqueNames
  ) -> Result<(result: dgi_result, input: [UInt8]), PipelineError> {
    let image: GrayImage
    switch item.decode() {
    case .success(let decoded): image = decoded
    case .failure(let error): return .failure(error)
    }
    let input: [UInt8]
    let info: dgi_preprocess_info
    switch pipeline.preprocess(image, ink: imageOptions.ink) {
    case .success(let r): (input, info) = r
    case .failure(let e): return .failure(e)
    }
    if verbose {
      let inkName = info.ink == UInt32(DGI_INK_LIGHT) ? "light" : "dark"
      Stderr.line(
        "\(item.name.display): \(image.width)x\(image.height), \(inkName) ink on paper level \(info.paper), digit at \(info.x),\(info.y) size \(info.width)x\(info.height), \(info.components) component\(info.components == 1 ? "" : "s") kept, \(info.dropped) dropped")
    }
    if let savePreprocessed {
      let path = (savePreprocessed as NSString).appendingPathComponent(names.next(for: item.name))
      do {
        let png = try PNGEncoder.encode(GrayImage(width: Int(DGI_INPUT_WIDTH), height: Int(DGI_INPUT_HEIGHT), pixels: input))
        try AtomicFile.write(Data(png), to: path)
      } catch {
        return .failure(PipelineError("cannot save the model input: \(error)"))
      }
      if verbose { Stderr.line("\(item.name.display): model input saved as \(FileName(path).display)") }
    }
    return pipeline.classify(input).map { ($0, input) }
  }
}

/// One image to classify, with the name printed for it.
struct InputItem {
  enum Source {
    case file(FileName)
    case standardInput
    /// An argument that yields no image (missing, empty directory): reported in its place.
    case failed(String)
  }

  let name: FileName
  let source: Source

  /// The image, decoded to grey; or why not, in words (the caller prints the name).
  func decode() -> Result<GrayImage, PipelineError> {
    let bytes: [UInt8]
    switch source {
    case .failed(let reason): return .failure(PipelineError(reason))
    case .standardInput:
      guard let data = try? FileHandle.standardInput.read(upToCount: InputExpansion.maximumFileBytes + 1) ?? Data() else {
        return .failure(PipelineError("cannot read standard input"))
      }
      guard data.count <= InputExpansion.maximumFileBytes else {
        return .failure(PipelineError("over the \(InputExpansion.maximumFileBytes >> 20) MiB limit for an image"))
      }
      bytes = [UInt8](data)
    case .file(let file):
      do {
        bytes = try InputFile.read(file, limit: InputExpansion.maximumFileBytes, what: "an image")
      } catch {
        return .failure(PipelineError(error.reason))
      }
    }
    if bytes.isEmpty { return .failure(PipelineError("empty file")) }
    do {
      return .success(try ImageDecoder.decode(bytes))
    } catch {
      return .failure(PipelineError(error.description))
    }
  }
}

/// Turning arguments into images: files as given, directories into their
/// image files (sorted, not recursive), - into standard input.
enum InputExpansion {
  static let extensions = ["png", "jpg", "jpeg", "pgm", "pbm"]
  static var extensionList: String { extensions.map { "." + $0 }.joined(separator: " ") }
  /// The largest image file read (decoding has its own pixel limit).
  static let maximumFileBytes = 256 << 20

  static func expand(_ arguments: [FileName]) -> [InputItem] {
    arguments.flatMap { argument -> [InputItem] in
      if argument == .standardInput { return [InputItem(name: argument, source: .standardInput)] }
      guard argument.isDirectory else { return [InputItem(name: argument, source: .file(argument))] }
      return images(in: argument)
    }
  }

  /// The directory's image files, sorted by their bytes, or one failed item naming the directory.
  static func images(in directory: FileName) -> [InputItem] {
    let entries: [[UInt8]]
    do {
      entries = try directory.directoryEntries()
    } catch {
      return [InputItem(name: directory, source: .failed(error.description))]
    }
    let files = entries.filter(isImageName).sorted { $0.lexicographicallyPrecedes($1) }.map(directory.appending)
      // A subdirectory is no image (no recursion). An entry that cannot be
      // stat'ed stays: reading it says why, and the run fails.
      .filter { !$0.isDirectory }
    if files.isEmpty {
      return [InputItem(name: directory, source: .failed("directory holds no image files (\(extensionList))"))]
    }
    return files.map { InputItem(name: $0, source: .file($0)) }
  }

  /// A directory entry to classify: not hidden, one of `extensions` in any
  /// case (compared as bytes: the rest of the name may be any bytes).
  static func isImageName(_ entry: [UInt8]) -> Bool {
    guard entry.first != UInt8(ascii: "."), let ext = FileName(bytes: entry).stemAndExtension.extension else { return false }
    let lowercased = ext.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    return extensions.contains { Array($0.utf8) == lowercased }
  }
}

/// PNG names for --save-preprocessed: the image's name with .png, made
/// unique within the run (b.png, b-2.png, ...); standard input is stdin.png.
/// The stem is the escaped text of FileName.display: one component (no
/// `/`: no path traversal), valid UTF-8, no control characters.
struct UniqueNames {
  private var used: Set<String> = []

  mutating func next(for name: FileName) -> String {
    let stem = name == .standardInput ? "stdin" : FileName(bytes: name.stemAndExtension.stem).display
    var candidate = stem + ".png"
    var n = 2
    while used.contains(candidate) {
      candidate = "\(stem)-\(n).png"
      n += 1
    }
    used.insert(candidate)
    return candidate
  }
}

enum OutputDirectory {
  /// Makes `path` (and its parents) if missing; fails if it is not a usable directory.
  static func make(_ path: String) throws(Failure) {
    do {
      try AtomicFile.createDirectory(at: path)
    } catch {
      throw Failure("\(FileName(path).display): \(error.description)")
    }
  }
}

/// Standard output, written a line at a time (unbuffered, so that it
/// interleaves with standard error in order).
enum Stdout {
  static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }
}
