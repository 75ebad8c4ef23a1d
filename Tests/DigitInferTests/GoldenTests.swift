import CDigitInfer
import DigitInferFormat
import Foundation
import Testing

@testable import DigitInfer

/// Golden vectors pin the arithmetic across platforms and versions: two
/// models, sixteen images, and the int8 logits they must produce. The C
/// tests and the device builds check the same files.
///
/// Regenerate (only when the format or the arithmetic changes on purpose):
///   DIGITINFER_UPDATE_GOLDEN=1 swift test --filter GoldenTests
enum Golden {
  static let directory = testsDirectory.appendingPathComponent("Golden")
  static let imageCount = 16

  static func models() throws -> [(file: String, model: QuantizedModel)] {
    [
      ("tiny.dgi", try SyntheticModel.make(
        [.conv(4, kernel: 3, samePadding: true), .maxpool, .conv(6, kernel: 3), .maxpool, .flatten, .dense(16), .dense(10, relu: false)],
        seed: 2024, name: "golden-tiny")),
      ("reference.dgi", try SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 1, name: "golden-reference")),
    ]
  }

  static func images() -> [[UInt8]] { testImages(count: imageCount, seed: 1234) }

  /// "FILE INDEX DIGIT L0 ... L9" per model and image.
  static func expectedLines(_ file: String, _ m: Model, kernels: KernelSet) -> [String] {
    images().enumerated().map { i, image in
      var logits = m.logits(image, kernels: kernels)
      logits += [Int8](repeating: 0, count: 10 - logits.count)
      let digit = try! m.classify(image).predictedClass
      return "\(file) \(i) \(digit) " + logits.map(String.init).joined(separator: " ")
    }
  }
}

@Suite(.serialized) struct GoldenTests {
  @Test func goldenFilesReproduce() throws {
    let update = ProcessInfo.processInfo.environment["DIGITINFER_UPDATE_GOLDEN"] == "1"
    var lines: [String] = []
    if update {
      try FileManager.default.createDirectory(at: Golden.directory, withIntermediateDirectories: true)
      try Data(Golden.images().flatMap { $0 }).write(to: Golden.directory.appendingPathComponent("inputs.bin"))
    }
    for (file, model) in try Golden.models() {
      let url = Golden.directory.appendingPathComponent(file)
      if update { try model.write(to: url.path) }
      let stored = [UInt8](try Data(contentsOf: url))
      // The writer is deterministic: the same seed gives the same bytes.
      #expect(stored == (try model.encoded()), "\(file) differs from what the writer produces")
      let m = try Model(stored)
      let reference = Golden.expectedLines(file, m, kernels: .reference)
      for set in supportedKernelSets.dropFirst() {
        #expect(reference == Golden.expectedLines(file, m, kernels: set), "\(set)")
      }
      lines += reference
    }
    let expectedURL = Golden.directory.appendingPathComponent("expected.txt")
    if update { try (lines.joined(separator: "\n") + "\n").write(to: expectedURL, atomically: true, encoding: .utf8) }
    let expected = try String(contentsOf: expectedURL, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(expected == lines)
    let inputs = [UInt8](try Data(contentsOf: Golden.directory.appendingPathComponent("inputs.bin")))
    #expect(inputs == Golden.images().flatMap { $0 })
  }
}
