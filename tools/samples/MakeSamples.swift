import ArgumentParser
import DigitInferFormat
import Foundation

/// Draws the sample digit images in models/samples: one per kind of input
/// the classifier meets (photo, chalkboard, transparent layer, small digit
/// on a big page, paint program, scan). Deterministic: the same bytes on
/// every run.
@main
struct MakeSamples: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-samples",
    abstract: "Draw the sample digit images (JPEG, PNG, PGM) into a directory.",
    discussion: """
      Example:
        swift run -c release make-samples --out models/samples
      """)

  @Option(help: "The directory to write into (created if missing).")
  var out = "models/samples"

  func run() throws {
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw ValidationError("cannot create \(out): \(error.localizedDescription)")
    }
    let samples = try Scenes.all()
    // All or none: a half-updated directory would mix two versions.
    try AtomicFile.write(samples.map { ((out as NSString).appendingPathComponent($0.name), Data($0.bytes)) })
    for sample in samples { print("\(sample.name)  \(sample.bytes.count) bytes") }
  }
}
