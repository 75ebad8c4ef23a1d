import DigitInfer
import DigitInferData
import DigitInferFormat
import DigitInferReport
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferTraining

@Suite struct ArchitectureTests {
  @Test func presetsParseWithHandCountedSizes() throws {
    // conv 5x5 1->16: 416 params, 24*24*16*25 = 230,400 MACs; conv 16->32: 12,832
    // and 8*8*32*400 = 819,200; dense 512->64: 32,832 and 32,768; 64->10: 650 and 640.
    let reference = try Architecture.named("reference")
    #expect(reference.parameterCount == 46_730)
    #expect(reference.macs == 1_083_008)
    #expect(reference.plan.map(\.kind) == [.conv2d, .maxpool2d, .conv2d, .maxpool2d, .flatten, .dense, .dense])
    // The shipped default, wider: conv 1->20 (520 params, 24*24*20*25 =
    // 288,000 MACs), conv 20->40 (20,040; 8*8*40*500 = 1,280,000), dense
    // 640->64 (41,024; 40,960), 64->10 (650; 640). Batch norm and dropout
    // vanish at export.
    let shipped = try Architecture.named("default")
    #expect(shipped.parameterCount == 62_234)
    #expect(shipped.macs == 1_609_600)
    #expect(shipped.classes == 10)
    // With "not a digit" (--not-a-digit): 64->11 (715 params; 704 MACs).
    let rejecting = try shipped.withClasses(11)
    #expect(rejecting.spec == "c20k5,bn,p2,c40k5,bn,p2,d64,bn,drop0.15,d11")
    #expect(rejecting.parameterCount == 62_299 && rejecting.macs == 1_609_664 && rejecting.classes == 11)
    let digitsOnly = try rejecting.withClasses(10)
    #expect(digitsOnly == shipped)
    #expect(shipped.plan.map(\.kind) == reference.plan.map(\.kind))
    #expect(try Architecture.named("mlp").parameterCount == 784 * 1000 + 1000 + 10_010)
    let keras = try Architecture.named("keras")  // 26x26x32, 24x24x64, pool 12x12x64 = 9216 -> 128 -> 10
    #expect(keras.parameterCount == 320 + 18_496 + 9216 * 128 + 128 + 1290)
  }

  @Test func badSpecsAreRejectedWithReasons() {
    for spec in ["", "c16k5", "c16k5,d9", "c16k5,d12", "d10,d11,d12", "x3,d10", "bn,d10", "c0k5,d10", "c16k4s,d10", "c8k29,d10", "d10,c8k3,d10", "drop1.5,d10", "c8k3,bn,bn,d10", "c8k3,drop0.1,bn,d10", "c8k3,d10,p2"] {
      #expect(throws: Architecture.ParseError.self, "\(spec)") { try Architecture(spec) }
    }
    #expect((try? Architecture(" C8K3S , BN , P2 , D10 "))?.spec == "c8k3s,bn,p2,d10")
  }
}

/// Training on real MNIST (a few thousand images, so that it runs in CI).
@Suite(.serialized) struct TrainingRunTests {
  static let data: (train: DigitSet, validation: DigitSet, test: DigitSet)? = {
    guard let dir = try? MNIST.directory(flag: nil), let all = try? MNIST.train(in: dir),
      let test = try? MNIST.test(in: dir)
    else { return nil }
    return (all.slice(0..<4000), all.slice(55_000..<56_000), test.slice(0..<1000))
  }()

  nonisolated(unsafe) static let trained: Trainer? = {
    guard let data else { return nil }
    var options = TrainingOptions()
    options.epochs = 3
    options.seed = 7
    options.augment = false  // 189 steps are too few to learn through distortions
    let trainer = Trainer(architecture: try! Architecture("c8k5,bn,p2,c16k5,bn,p2,d32,d10"), options: options)
    try! trainer.train(data.train, validation: data.validation)
    return trainer
  }()

  @Test func shortTrainingRunLearnsDigits() throws {
    let trainer = try #require(Self.trained, "MNIST not found (set DIGITINFER_DATA)")
    let data = Self.data!
    #expect(trainer.history.count == 3)
    #expect(trainer.history.last!.trainLoss < trainer.history.first!.trainLoss)
    // 4,000 images, 3 epochs (189 steps, one of them warm-up): past 90%.
    #expect(trainer.evaluate(data.test).accuracy > 0.90)
  }

  @Test func int8ModelAgreesWithFloat() throws {
    let trainer = try #require(Self.trained)
    let data = Self.data!
    let model = try Quantizer.quantize(trainer, calibration: data.validation, method: .percentile(99.99), name: "t")
    let runtime = try Model(try model.encoded())
    let int8 = runtime.predict(data.test)
    let float = trainer.predict(data.test)
    let agree = zip(int8, float).filter { $0 == $1 }.count
    #expect(Double(agree) / Double(float.count) >= 0.99, "agreement \(agree)/\(float.count)")
  }

  @Test func accuracyGateRefusesABrokenQuantization() throws {
    let trainer = try #require(Self.trained)
    let data = Self.data!
    var model = try Quantizer.quantize(trainer, calibration: data.validation, method: .minMax, name: "t")
    let float = Evaluation(labels: data.test.labels, predictions: trainer.predict(data.test)).accuracy
    // The gate's arithmetic: accuracies are fractions, the limit is in points.
    #expect(throws: Never.self) { try AccuracyGate.check(float: 0.99, int8: 0.988, force: false) }
    #expect(throws: AccuracyGate.Refusal.self) { try AccuracyGate.check(float: 0.99, int8: 0.986, force: false) }
    // Break it: requantize the first conv layer 16x too coarsely.
    model.layers[0].shifts = model.layers[0].shifts.map { min(31, $0 + 4) }
    let broken = Evaluation(labels: data.test.labels, predictions: try Model(try model.encoded()).predict(data.test))
    #expect(broken.accuracy < float - 0.003)
    #expect(throws: AccuracyGate.Refusal.self) { try AccuracyGate.check(float: float, int8: broken.accuracy, force: false) }
    #expect(throws: Never.self) { try AccuracyGate.check(float: float, int8: broken.accuracy, force: true) }
  }

  /// export-model's steps, one by one, on the short run: every figure
  /// checked against the runtime's own answers.
  @Test func exporterStepsCalibrateChooseMeasureAndWrite() throws {
    let trainer = try #require(Self.trained)
    let data = Self.data!
    var settings = Exporter.Settings()
    settings.calibrations = [.minMax, .percentile(99.99)]
    let exporter = Exporter(trainer: trainer, train: data.train, validationDigits: data.validation, settings: settings)
    // Ten classes: nothing generated, validation is the held-out digits.
    #expect(!exporter.rejects && exporter.extra == nil && exporter.validation.count == data.validation.count)

    let candidates = try exporter.calibrate(name: "t")
    #expect(candidates.map(\.method) == settings.calibrations)
    for c in candidates {
      let answers = try Model(try c.model.encoded()).predict(data.validation)
      let correct = zip(answers, data.validation.labels).filter { $0 == Int($1) }.count
      #expect(c.validationAccuracy == Double(correct) / Double(data.validation.count))
    }
    let chosen = try #require(Exporter.choose(candidates))
    #expect(chosen.validationAccuracy == candidates.map(\.validationAccuracy).max())

    let figures = try exporter.measure(chosen.model, test: data.test)
    let int8 = try Model(try chosen.model.encoded()).predict(data.test)
    #expect(figures.int8 == Evaluation(labels: data.test.labels, predictions: int8))
    #expect(figures.float == Evaluation(labels: data.test.labels, predictions: trainer.predict(data.test)))
    #expect(figures.notADigit == nil)
    #expect(throws: Never.self) { try Exporter.gate(figures, force: false) }

    let model = exporter.stamped(chosen, figures, date: "2026-01-02T03:04:05Z")
    let bytes = try model.encoded()
    let card = exporter.card(
      name: "t", bytes: bytes, model: model, chosen: chosen, figures: figures, command: "export-model --int8",
      date: "2026-01-02T03:04:05Z", notes: [])
    #expect(card.fileBytes == bytes.count && card.validationAccuracy == chosen.validationAccuracy)
    try withTemporaryDirectory { directory in
      try Exporter.write(bytes, card: card, to: directory + "/t.dgi")
      let written = try Model(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/t.dgi"))))
      #expect(written.predict(data.test) == int8)
      #expect(written.info.metadata.contains("int8_test_accuracy"))
      for file in try ModelCard.paths(for: "t", in: directory) { #expect(FileManager.default.fileExists(atPath: file)) }
    }
  }

  /// The best validation accuracy wins; of equals, the first tried.
  @Test func chooseTakesTheBestAndTheFirstOfEquals() throws {
    let trainer = try #require(Self.trained)
    let model = try Quantizer.quantize(trainer, calibration: Self.data!.validation, method: .minMax, name: "t")
    func c(_ method: Calibration, _ accuracy: Double) -> Exporter.Calibrated {
      Exporter.Calibrated(method: method, model: model, validationAccuracy: accuracy)
    }
    #expect(Exporter.choose([]) == nil)
    #expect(Exporter.choose([c(.minMax, 0.9), c(.percentile(99.9), 0.95), c(.percentile(99.99), 0.93)])?.method == .percentile(99.9))
    #expect(Exporter.choose([c(.minMax, 0.95), c(.percentile(99.9), 0.95)])?.method == .minMax)
  }

  @Test func checkpointRestoresTheSameModel() throws {
    let trainer = try #require(Self.trained)
    let data = Self.data!
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ck-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Checkpoint.save(trainer, to: path)
    let restored = try Checkpoint.load(from: path)
    #expect(restored.history == trainer.history)
    #expect(restored.predict(data.test) == trainer.predict(data.test))
    // Damaged files are refused with a message, not a crash.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes.removeLast(100)
    try bytes.write(to: URL(fileURLWithPath: path))
    #expect(throws: (any Error).self) { try Checkpoint.load(from: path) }
  }

  @Test func sameSeedSameModel() throws {
    let data = try #require(Self.data)
    func run() -> [[Float]] {
      var options = TrainingOptions()
      options.epochs = 1
      let t = Trainer(architecture: try! Architecture("c4k5,bn,p2,d10"), options: options)
      try! t.train(data.train.slice(0..<512), validation: data.validation.slice(0..<100))
      return t.network.state
    }
    #expect(run() == run())
  }
}
