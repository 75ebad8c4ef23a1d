import DigitInfer
import DigitInferData
import DigitInferFormat
import DigitInferReport
import DigitInferSupport
import Foundation

/// What `export-model` does, as named steps that the command drives and the
/// tests call one by one:
///
/// 1. `init`: the run's data (for an 11-class model, the generated
///    negatives and preprocessed digits beside the MNIST ones);
/// 2. `train`;
/// 3. `calibrate`: one int8 model per calibration method, each measured on
///    the validation set by the runtime itself;
/// 4. `choose`: the best of them on validation;
/// 5. `measure`: float and int8 test accuracy (and, for 11 classes, the
///    negative test set), the int8 figures from the runtime;
/// 6. `gate`: refuse an int8 model too far below its float original;
/// 7. `card` and `write`: the model file and its card, all or nothing.
///
/// The command owns what is about the command line: its options, the
/// refusal to replace files, progress bars and printing.
public struct Exporter {
  /// Choices that shape the run besides the trainer's own options.
  public struct Settings: Sendable {
    /// 11-class models: generated negatives per epoch, as a fraction of
    /// the training digits.
    public var negatives = 0.12
    /// 11-class models: training digits per epoch also sent through
    /// `dgi_preprocess` (`PreprocessedDigits`), as a fraction.
    public var preprocessedDigits = 0.12
    /// 11-class models: pieces of wrongly cut touching pairs
    /// (`CutPieces`) per epoch, as negatives, as a fraction; 0 for none.
    public var cutPieces = 0.0
    /// The calibration methods tried; the best on validation is kept.
    public var calibrations = Calibration.candidates

    public init() {}
  }

  /// One calibration method's int8 model and its validation accuracy.
  public struct Calibrated {
    public let method: Calibration
    public var model: QuantizedModel
    public let validationAccuracy: Double
  }

  /// The test figures of a float model and its int8 export.
  public struct Figures {
    public let float: Evaluation
    public let int8: Evaluation
    /// For an 11-class model: the negative test set and rejected digits.
    public let notADigit: NotADigitFigures?
    /// int8 below float, in percentage points.
    public var drop: Double { 100 * (float.accuracy - int8.accuracy) }
  }

  public let settings: Settings
  public let trainer: Trainer
  public let train: DigitSet
  /// The held-out MNIST training digits alone.
  public let validationDigits: DigitSet
  /// What training validates on and int8 calibrates on: the held-out digits,
  /// and for an 11-class model negatives and preprocessed digits drawn from them.
  public let validation: DigitSet
  /// For an 11-class model, each epoch's generated images (new ones every
  /// epoch): negatives and preprocessed training digits.
  public let extra: ((Int) -> DigitSet)?

  /// Whether the model has the 11th class, "not a digit".
  public var rejects: Bool { trainer.architecture.classes == 11 }

  /// The data of a run. Deterministic: the same seed (the trainer's) and
  /// digits give the same images.
  public init(trainer: Trainer, train: DigitSet, validationDigits: DigitSet, settings: Settings = Settings()) {
    self.settings = settings
    self.trainer = trainer
    self.train = train
    self.validationDigits = validationDigits
    guard trainer.architecture.classes == 11 else {
      validation = validationDigits
      extra = nil
      return
    }
    // An 11-class model learns "not a digit" from generated negatives, and
    // sees digits through dgi_preprocess too, as users' digits arrive, so
    // that preprocessing's look is not what marks a negative.
    let seed = trainer.options.seed
    let preprocessed = { [settings] (digits: DigitSet, seed: UInt64, name: String) in
      PreprocessedDigits.generate(
        from: digits, count: Int((settings.preprocessedDigits * Double(digits.count)).rounded()), seed: seed, name: name)
    }
    // Wrongly cut pieces of touching pairs, when asked for (none by
    // default, so that earlier runs are reproduced image for image).
    let withCuts = { [settings] (set: DigitSet, digits: DigitSet, seed: UInt64, name: String) in
      let count = Int((settings.cutPieces * Double(digits.count)).rounded())
      return count == 0 ? set : set.appending(CutPieces.generate(from: digits, count: count, seed: seed, name: name))
    }
    validation = withCuts(
      validationDigits
        .appending(Rejection.validationNegatives(digits: validationDigits, fraction: settings.negatives, seed: seed), name: "validation")
        .appending(preprocessed(validationDigits, seed ^ 0x5052_4556_414C_0000, "preprocessed-validation")),
      validationDigits, seed ^ 0x4355_5456_414C_0000, "cut-validation")
    extra = { [settings] epoch in
      withCuts(
        Rejection.trainingNegatives(digits: train, fraction: settings.negatives, seed: seed, epoch: epoch)
          .appending(preprocessed(train, seed &+ 0x5052_4550_0000 &+ UInt64(epoch) &* 0x1_0000_0001, "preprocessed-\(epoch)")),
        train, seed &+ 0x4355_5400_0000 &+ UInt64(epoch) &* 0x1_0000_0001, "cut-\(epoch)")
    }
  }

  /// Step 2: trains (or continues training) the trainer's network.
  public func train(
    progress: (TrainingProgress) -> Void = { _ in }, afterEpoch: (Trainer) throws -> Void = { _ in }
  ) throws {
    try trainer.train(train, validation: validation, extra: extra, progress: progress, afterEpoch: afterEpoch)
  }

  /// Step 3: the trained network quantized with each of the settings'
  /// calibration methods, each model's validation accuracy measured by the
  /// runtime (a rejection counts as class 10).
  public func calibrate(name: String) throws -> [Calibrated] {
    let statistics = Quantizer.measure(trainer, validation)
    return try settings.calibrations.map { method in
      let model = try Quantizer.quantize(trainer, statistics: statistics, method: method, name: name)
      let predictions = try Rejection.answers(try Model(try model.encoded()), validation)
      let accuracy = Evaluation(labels: validation.labels, predictions: predictions, classes: 11).accuracy
      return Calibrated(method: method, model: model, validationAccuracy: accuracy)
    }
  }

  /// Step 4: the most accurate on validation; the first of equals.
  public static func choose(_ candidates: [Calibrated]) -> Calibrated? {
    candidates.reduce(nil) { best, c in best.map { c.validationAccuracy > $0.validationAccuracy ? c : $0 } ?? c }
  }

  /// Step 5: float and int8 accuracy on `test`; for an 11-class model, also
  /// the negative test set (`Rejection.testSet`).
  public func measure(_ model: QuantizedModel, test: DigitSet) throws -> Figures {
    let classes = trainer.architecture.classes
    let runtime = try Model(try model.encoded())
    let int8Answers = try Rejection.answers(runtime, test)
    var notADigit: NotADigitFigures?
    if rejects {
      let negatives = Rejection.testSet(testDigits: test)
      notADigit = Rejection.figures(
        method: "class 10 (the model's 11th output)", test: test, testAnswers: int8Answers, negatives: negatives,
        negativeAnswers: try Rejection.answers(runtime, negatives), floatNegativeAnswers: trainer.predict(negatives))
    }
    return Figures(
      float: Evaluation(labels: test.labels, predictions: trainer.predict(test), classes: classes),
      int8: Evaluation(labels: test.labels, predictions: int8Answers, classes: classes), notADigit: notADigit)
  }

  /// Step 6: refuses (unless `force`) an int8 model more than
  /// `AccuracyGate.limit` points below float.
  public static func gate(_ figures: Figures, force: Bool) throws(AccuracyGate.Refusal) {
    try AccuracyGate.check(float: figures.float.accuracy, int8: figures.int8.accuracy, force: force)
  }

  /// The chosen model with its figures in the file's metadata.
  public func stamped(_ chosen: Calibrated, _ figures: Figures, date: String) -> QuantizedModel {
    var model = chosen.model
    model.metadata = [
      ("architecture", trainer.architecture.spec), ("int8_test_accuracy", String(format: "%.4f", figures.int8.accuracy)),
      ("float_test_accuracy", String(format: "%.4f", figures.float.accuracy)), ("calibration", chosen.method.description),
      ("seed", String(trainer.options.seed)), ("date", date), ("trainer", "DigitInfer export-model"),
    ]
    return model
  }

  /// Step 7: the model card of `bytes` (the stamped model's file).
  public func card(
    name: String, bytes: [UInt8], model: QuantizedModel, chosen: Calibrated, figures: Figures, command: String,
    date: String, notes: [String]
  ) -> ModelCard {
    let architecture = trainer.architecture
    let tried = settings.calibrations.map(\.description).joined(separator: ", ")
    return ModelCard(
      name: name, architecture: architecture.spec, layers: architecture.plan.map(\.description),
      parameters: architecture.parameterCount, macs: architecture.macs, fileBytes: bytes.count,
      scratchBytes: model.scratchSize, floatTest: figures.float, int8Test: figures.int8,
      validationAccuracy: chosen.validationAccuracy,
      calibration: "\(chosen.method) (chosen by int8 validation accuracy among \(tried))",
      epochs: trainer.history, trainingSeconds: trainer.history.reduce(0) { $0 + $1.seconds }, command: command,
      seed: trainer.options.seed, date: date,
      dataset: "MNIST (Yann LeCun, Corinna Cortes, Christopher J.C. Burges; CC BY-SA 3.0): \(train.count.formatted()) training images, the last \(MNIST.holdout.formatted()) training images held out for validation and calibration, 10,000 test images",
      notes: notes + (rejects ? [trainingNote] : []), notADigit: figures.notADigit)
  }

  /// What an 11-class model was trained with, for its card.
  var trainingNote: String {
    String(
      format: "Trained with %.0f%% generated negatives (class 10, not a digit) per epoch, new ones each epoch (--negatives %g), and %.0f%% of the training digits again through dgi_preprocess at other sizes (--preprocessed-digits %g).",
      100 * settings.negatives, settings.negatives, 100 * settings.preprocessedDigits, settings.preprocessedDigits)
  }

  /// Step 7: writes the model and its card (.md, .json, training plot) in
  /// one group: all new, or (a failure before the renames) none replaced.
  public static func write(_ bytes: [UInt8], card: ModelCard, to path: String) throws {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try AtomicFile.write([(path, Data(bytes))] + card.files(in: directory))
  }
}
