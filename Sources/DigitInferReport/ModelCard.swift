import DigitInferSupport
import Foundation

/// Everything the model card records about one exported model.
public struct ModelCard: Codable, Sendable, Equatable {
  /// The model's file name without extension, e.g. "mnist-int8".
  public var name: String
  /// The spec string the trainer was given, e.g. "c16k5,bn,p2,c32k5,bn,p2,d64,d10".
  public var architecture: String
  /// One human line per layer: kind, shapes, parameters, MACs.
  public var layers: [String]
  public var parameters: Int
  /// Multiply-accumulates per image.
  public var macs: Int
  public var fileBytes: Int
  /// The scratch size stored in the file: the two activation arenas
  /// (docs/FORMAT.md section 12), what any runtime needs at least. A
  /// library's kernels may ask for more (dgi_model_scratch_size).
  public var scratchBytes: Int
  public var floatTest: Evaluation
  public var int8Test: Evaluation
  /// Int8 accuracy (fraction) on the held-out training images.
  public var validationAccuracy: Double
  /// How activation ranges were calibrated, and why that method.
  public var calibration: String
  public var epochs: [EpochRecord]
  public var trainingSeconds: Double
  /// The command line that reproduces the model.
  public var command: String
  public var seed: UInt64
  /// ISO 8601; see `ModelCard.isoDate`.
  public var date: String
  /// Source, licence and split of the data.
  public var dataset: String
  public var notes: [String]
  /// How the model treats images that are not digits; nil for a card
  /// written before that was measured.
  public var notADigit: NotADigitFigures?

  public init(
    name: String, architecture: String, layers: [String],
    parameters: Int, macs: Int, fileBytes: Int, scratchBytes: Int,
    floatTest: Evaluation, int8Test: Evaluation, validationAccuracy: Double,
    calibration: String, epochs: [EpochRecord], trainingSeconds: Double,
    command: String, seed: UInt64, date: String, dataset: String, notes: [String],
    notADigit: NotADigitFigures? = nil
  ) {
    self.name = name
    self.architecture = architecture
    self.layers = layers
    self.parameters = parameters
    self.macs = macs
    self.fileBytes = fileBytes
    self.scratchBytes = scratchBytes
    self.floatTest = floatTest
    self.int8Test = int8Test
    self.validationAccuracy = validationAccuracy
    self.calibration = calibration
    self.epochs = epochs
    self.trainingSeconds = trainingSeconds
    self.command = command
    self.seed = seed
    self.date = date
    self.dataset = dataset
    self.notes = notes
    self.notADigit = notADigit
  }

  /// `date` in the card's format: UTC, second precision, "2025-01-31T12:00:00Z".
  public static func isoDate(_ date: Date = Date()) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  // A diverged run has NaN losses; plain JSON cannot hold them, and a card
  // that explains the failure is worth more than no card. Decode with
  // `ModelCard.decoder()` (or the same strategy) to read them back.
  private static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

  /// A JSONDecoder that reads every card `json()` writes, NaN included.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
    return decoder
  }

  public init(json: String) throws {
    self = try Self.decoder().decode(Self.self, from: Data(json.utf8))
  }

  /// Pretty-printed with sorted keys, so that regenerating a card for the
  /// same model gives the same bytes and diffs stay readable.
  public func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: Self.nonFinite.positive, negativeInfinity: Self.nonFinite.negative,
      nan: Self.nonFinite.nan)
    do {
      return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    } catch {
      // Only non-finite floats can make these plain values fail to encode,
      // and the strategy above handles them.
      preconditionFailure("model card did not encode: \(error)")
    }
  }

  /// File names of the card of model `name`, beside the model `<name>.dgi`:
  /// `<name>.md`, `<name>.json`, `<name>-training.svg`.
  public static func fileNames(for name: String) -> (markdown: String, json: String, plot: String) {
    (name + ".md", name + ".json", name + "-training.svg")
  }
  public var markdownFileName: String { Self.fileNames(for: name).markdown }
  public var jsonFileName: String { Self.fileNames(for: name).json }
  public var plotFileName: String { Self.fileNames(for: name).plot }

  /// The paths of the card of model `name` in `directory`; throws if the
  /// name cannot be a file name.
  public static func paths(for name: String, in directory: String) throws -> [String] {
    guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0")
    else { throw ReportError("model name \(name.debugDescription) cannot be a file name") }
    let base = URL(fileURLWithPath: directory), names = fileNames(for: name)
    return [names.markdown, names.json, names.plot].map { base.appendingPathComponent($0).path }
  }

  /// The card's files in `directory`, to write with the model in one
  /// AtomicFile group (so that model and card are new together).
  public func files(in directory: String) throws -> [(path: String, data: Data)] {
    let paths = try Self.paths(for: name, in: directory)
    return [
      (paths[0], Data(markdown().utf8)), (paths[1], Data(json().utf8)),
      (paths[2], Data(TrainingPlot.svg(epochs, title: "\(name): training").utf8)),
    ]
  }

  /// Writes `<name>.md`, `<name>.json` and `<name>-training.svg` into an
  /// existing directory, each atomically (temporary file, then rename). A
  /// failure while writing (full disk, no permission) replaces none of them
  /// and leaves no temporary files.
  public func write(to directory: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw ReportError("no such directory: \(directory)") }
    let files = try files(in: directory)
    do {
      try AtomicFile.write(files)
    } catch {
      throw ReportError(error.description)
    }
  }
}
