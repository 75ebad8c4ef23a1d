import ArgumentParser
import DigitInfer
import DigitInferImage
import DigitInferSupport
import Foundation

/// `read`: the whole number in each image, digit by digit.
struct Read: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Read the whole number (one row of digits) in each image.",
    discussion: """
      Prints one line per image: the file, the number, and each digit with its probability, left to right:
        photo.jpg: 2026 (2 99.1%, 0 98.7%, 2 97.0%, 6 99.9%)
      Each image is decoded to grey and given to dgi_read_number(), exactly as the C API does: it finds the digits of a one-row number (either polarity, on shaded paper, digits of different sizes, touching digits split apart), in reading order, and classifies each. An image in which nothing makes a digit is an error for that image, as it is for classify.

      --json prints JSON Lines instead, one object per image, in argument order:
        {"file": "a.png", "number": "2026", "digits": [{"digit": 2, "confidence": 0.991, "box": {"x": 10, "y": 4, "width": 30, "height": 52}, "split": false}, ...]}
        {"file": "b.png", "error": "reason"}
      "number" is a string (leading zeros kept); "box" is the digit's box in the image, in pixels from the top-left corner; "split" is true for a digit cut from strokes that touch a neighbour. File names are shown as classify --help describes.

      --show DIR writes each image as a PNG into DIR (made if missing) with each digit's box and the digit read drawn over it: green boxes for digits that stood apart, orange for digits split from touching neighbours. Each PNG is named after its image, as classify's --save-preprocessed names them.

      Arguments: image files (\(InputExpansion.extensionList)), directories (their image files, sorted by name, not recursively), or - for one image read from standard input.

      \(ModelOptions.defaultModelHelp)

      \(ExitStatus.help)

      Examples:
        digitinfer-cli read receipt.jpg
        digitinfer-cli read --json scans/ > numbers.jsonl
        digitinfer-cli read --show /tmp/boxes --ink dark photo.jpg
      """)

  @OptionGroup var modelOptions: ModelOptions

  @OptionGroup var imageOptions: ImageOptions

  @Option(help: ArgumentHelp("Write each image with the boxes and digits read drawn over it as a PNG into this directory (made if missing).", valueName: "dir"))
  var show: String?

  func validate() throws {
    try FileName.requireUTF8(show, "--show")
  }

  func run() throws {
    try reportingFailures {
      let model = try modelOptions.load()
      if let show { try OutputDirectory.make(show) }
      var reader = NumberReader(model: model)
      var names = UniqueNames()
      try imageOptions.forEach { item in
        switch read(item, reader: &reader, names: &names) {
        case .success(let digits):
          let number = digits.map { String($0.result.digit) }.joined()
          if imageOptions.json {
            Stdout.line(JSON.object(item.name.jsonFields("file") + [
              ("number", JSON.string(number)),
              ("digits", JSON.array(digits.map(Self.json))),
            ]))
          } else if digits.isEmpty {
            Stdout.line("\(item.name.display): no digits found")
          } else {
            let each = digits.map { "\($0.result.digit) \(Percent.text($0.result.confidence))" }.joined(separator: ", ")
            Stdout.line("\(item.name.display): \(number) (\(each))")
          }
          return nil
        case .failure(let error):
          return error
        }
      }
    }
  }

  private func read(_ item: InputItem, reader: inout NumberReader, names: inout UniqueNames) -> Result<[dgi_number_digit], PipelineError> {
    let image: GrayImage
    switch item.decode() {
    case .success(let decoded): image = decoded
    case .failure(let error): return .failure(error)
    }
    let digits: [dgi_number_digit]
    switch reader.read(image, ink: imageOptions.ink) {
    case .success(let found): digits = found
    case .failure(let error): return .failure(error)
    }
    if let show {
      let path = (show as NSString).appendingPathComponent(names.next(for: item.name))
      do {
        try AtomicFile.write(Data(Overlay.png(image, digits: digits)), to: path)
      } catch {
        return .failure(PipelineError("cannot save the drawing of the boxes: \(error)"))
      }
    }
    return .success(digits)
  }

  /// One digit of --json's "digits".
  private static func json(_ digit: dgi_number_digit) -> String {
    JSON.object([
      ("digit", String(digit.result.digit)),
      ("confidence", JSON.number(digit.result.confidence)),
      ("box", JSON.object([("x", String(digit.x)), ("y", String(digit.y)), ("width", String(digit.width)), ("height", String(digit.height))])),
      ("split", digit.isSplit ? "true" : "false"),
    ])
  }
}

extension dgi_number_digit {
  /// Cut from strokes that touch a neighbour (DGI_DIGIT_SPLIT).
  var isSplit: Bool { flags & UInt32(DGI_DIGIT_SPLIT) != 0 }
}

/// dgi_read_number with this worker's own scratch and digit buffers (the C
/// API's rule for concurrent use), grown as images need.
struct NumberReader {
  let model: LoadedModel
  private var scratch: [UInt8] = []
  private var digits = [dgi_number_digit](repeating: dgi_number_digit(), count: 16)
  /// More digits than this in one image is an error, not a number.
  static let maximumDigits = 1024

  init(model: LoadedModel) { self.model = model }

  /// The digits of the number in `image`, left to right.
  mutating func read(_ image: GrayImage, ink: Ink) -> Result<[dgi_number_digit], PipelineError> {
    guard let width = UInt32(exactly: image.width), let height = UInt32(exactly: image.height) else {
      return .failure(PipelineError("image is \(image.width)x\(image.height): too large"))
    }
    let needed = model.model.withUnsafeRecord { dgi_read_number_scratch_size($0, width, height) }
    if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed) }
    while true {
      var count = 0
      let capacity = digits.count
      let status = image.pixels.withUnsafeBufferPointer { pixels in
        scratch.withUnsafeMutableBytes { scratch in
          digits.withUnsafeMutableBufferPointer { out in
            model.model.withUnsafeRecord {
              dgi_read_number(
                $0, pixels.baseAddress, width, height, image.width, ink.flags, scratch.baseAddress, scratch.count,
                out.baseAddress, out.count, &count)
            }
          }
        }
      }
      if status == DGI_ERROR_TOO_MANY && count > capacity && count <= Self.maximumDigits {
        digits = [dgi_number_digit](repeating: dgi_number_digit(), count: count)
        continue
      }
      guard status == DGI_OK else {
        if status == DGI_ERROR_TOO_MANY { return .failure(PipelineError("more than \(Self.maximumDigits) digits found: not a number")) }
        return .failure(PipelineError(status))
      }
      return .success(Array(digits.prefix(count)))
    }
  }
}
