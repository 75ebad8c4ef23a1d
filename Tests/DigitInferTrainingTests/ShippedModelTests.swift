import DigitInfer
import DigitInferData
import DigitInferReport
import Foundation
import Testing

@testable import DigitInferTraining

/// The models in models/ against their own model cards, on the full MNIST
/// test set, through the runtime (the numbers a user of the file gets).
@Suite struct ShippedModelTests {
  static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models")

  func check(_ name: String, minimumAccuracy: Double?) throws {
    let dgi = Self.models.appendingPathComponent("\(name).dgi")
    let json = Self.models.appendingPathComponent("\(name).json")
    let bytes = [UInt8](try Data(contentsOf: dgi))
    let card = try ModelCard(json: String(decoding: try Data(contentsOf: json), as: UTF8.self))
    let test = try MNIST.test(in: try MNIST.directory(flag: nil))
    let predictions = try Model(bytes).predict(test)
    let evaluation = Evaluation(labels: test.labels, predictions: predictions)
    // Integer inference is deterministic: the card's figures must reproduce exactly.
    #expect(evaluation.confusion == card.int8Test.confusion)
    #expect(evaluation.accuracy == card.int8Test.accuracy)
    #expect(card.fileBytes == bytes.count)
    if let minimumAccuracy { #expect(evaluation.accuracy >= minimumAccuracy) }
  }

  /// The shipped default: at least 99.5% in int8, at most 64 KB and 2 M MACs.
  @Test func defaultModelMeetsItsCard() throws {
    try check("mnist-int8", minimumAccuracy: 0.995)
    let bytes = try Data(contentsOf: Self.models.appendingPathComponent("mnist-int8.dgi"))
    #expect(bytes.count <= 64 * 1024)
    let card = try ModelCard(json: String(decoding: try Data(contentsOf: Self.models.appendingPathComponent("mnist-int8.json")), as: UTF8.self))
    #expect(card.macs <= 2_000_000)
    #expect(try Architecture(card.architecture).macs == card.macs)
    // The .dgi format's own bytes (header, layer table, name, metadata,
    // alignment) over the parameters: int8 weights and, per output channel,
    // an int32 bias, an int32 multiplier and a shift byte.
    let plan = try Architecture(card.architecture).plan
    let payload = plan.reduce(0) { $0 + ($1.fanIn > 0 ? $1.fanIn * $1.output.channels + 9 * $1.output.channels : 0) }
    #expect(bytes.count - payload < 1024, "overhead \(bytes.count - payload) bytes")
  }

  @Test func referenceModelMeetsItsCard() throws {
    try check("reference-int8", minimumAccuracy: nil)
  }

  /// The microcontroller model: fits 64 KiB of flash and 16 KiB of RAM with
  /// the runtime (tools/embedded), at least 99% on MNIST.
  @Test func smallModelMeetsItsCard() throws {
    try check("small-int8", minimumAccuracy: 0.99)
    let card = try ModelCard(json: String(decoding: try Data(contentsOf: Self.models.appendingPathComponent("small-int8.json")), as: UTF8.self))
    #expect(card.fileBytes <= 16 * 1024)
    #expect(card.scratchBytes <= 10 * 1024)
  }
}
