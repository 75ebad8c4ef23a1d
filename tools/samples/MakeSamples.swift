import ArgumentParser
import DigitInferSupport
import Foundation

/// Draws the sample digit images in models/samples: one per kind of input
/// the classifier meets (photo, chalkboard, transparent layer, small digit
/// on a big page, paint program, scan, ruled and squared paper, a
/// whiteboard), and the whole-number images of models/numbers.
/// Deterministic: the same bytes on every run.
@main
struct MakeSamples: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-samples",
    abstract: "Draw the sample digit images (JPEG, PNG, PGM) into a directory.",
    discussion: """
      Example:
        swift run -c release make-samples --out models/samples --numbers-out models/numbers
      """)

  @Option(help: "The directory to write the digit samples into (created if missing).")
  var out = "models/samples"

  @Option(help: "The directory to write the number samples into; none are drawn without it.")
  var numbersOut: String?

  func run() throws {
    var files: [(String, Scenes.Sample)] = []
    let sets: [(String?, () throws -> [Scenes.Sample])] = [
      (out, { try Scenes.all() + LinedScenes.all() }), (numbersOut, NumberScenes.all),
    ]
    for (directory, samples) in sets {
      guard let directory else { continue }
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw ValidationError("cannot create \(directory): \(error.localizedDescription)")
      }
      files += try samples().map { ((directory as NSString).appendingPathComponent($0.name), $0) }
    }
    // All or none: a half-updated directory would mix two versions.
    try AtomicFile.write(files.map { ($0.0, Data($0.1.bytes)) })
    for (path, sample) in files { print("\(path)  \(sample.bytes.count) bytes") }
  }
}
