import ArgumentParser
import DigitInfer
import DigitInferData
import DigitInferFormat
import DigitInferImage
import DigitInferReport
import DigitInferSupport
import DigitInferTraining
import Foundation

@main
struct ExportModel: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-model",
    abstract: "Train a digit classifier on MNIST in Swift and export it as an int8 .dgi model.",
    discussion: """
      Trains on the first 55,000 MNIST training images, validates (and calibrates the int8 quantization) on the last 5,000, and reports float and int8 accuracy on the 10,000 test images, the int8 figure measured by the DigitInfer runtime itself. Refuses to write a model whose int8 accuracy is more than 0.3 points below float (--force writes anyway). Writes the model atomically, with a model card (.md, .json) and a training plot (.svg) beside it: by default mnist-int8.dgi, mnist-int8.md, mnist-int8.json and mnist-int8-training.svg in the current directory.

      Never replaces an existing file unless asked: if the model, its card or its plot already exists (or --checkpoint does, without --resume or --export-only), export-model stops before loading any data and names the file; --overwrite replaces them. The model shipped in models/ is replaced only by naming it with --out and --overwrite.

      Architectures: --arch takes a preset or a spec of comma-separated items: cNkK conv (N filters, KxK), cNkKs conv with same padding, p2 max-pool, dN dense, bn batch norm, dropP dropout.
      \(Architecture.presets.map { p in
        let a = try! Architecture(p.spec)
        return "  \(p.name.padding(toLength: 10, withPad: " ", startingAt: 0))\(a.parameterCount.formatted()) params, \(a.macs.formatted()) MACs\n    \(p.spec)\n    \(p.about)"
      }.joined(separator: "\n"))

      Examples:
        export-model --int8
        export-model --int8 --out models/mnist-int8.dgi --overwrite    (regenerate the shipped model)
        export-model --int8 --arch reference --out models/reference-int8.dgi
        export-model --int8 --epochs 2 --train-limit 5000 --out /tmp/quick.dgi
        export-model --int8 --checkpoint run.ckpt --epochs 40 --resume
        export-model --int8 --checkpoint run.ckpt --export-only --calibration 99.9
      """,
    // DGI_VERSION of include/digitinfer.h, as the linked library reports it.
    version: dgi_version().map { String(cString: $0) } ?? "unknown")

  @Flag(help: "Export int8 (the only format; required so that a later float format cannot be chosen by accident).")
  var int8 = false

  @Flag(help: "--not-a-digit: an 11th class, \"not a digit\", trained on generated negatives (docs/NOT-A-DIGIT.md); --digits-only: ten digits. Either one overrides the last layer of --arch (d11 or d10); without either, the architecture decides (d10: ten digits, the default).")
  var classes: ClassChoice?

  @Option(help: "With --not-a-digit: generated negatives per epoch, as a fraction of the training digits (new ones every epoch).")
  var negatives = 0.12

  @Option(help: "With --not-a-digit: training digits per epoch also sent through dgi_preprocess at another size (PreprocessedDigits), as a fraction of the training digits, so that the path an image took does not tell a digit from a negative; 0 for none.")
  var preprocessedDigits = 0.12

  @Option(help: "With --not-a-digit: pieces of touching digit pairs cut in the wrong place (CutPieces: a whole digit with part of its neighbour) added per epoch as negatives, as a fraction of the training digits; 0 for none.")
  var cutPieces = 0.0

  @Option(help: "Skip training: measure the model at this path on the MNIST test set and the negative test set (a 10-class model with a max-probability threshold calibrated on the held-out training images), and print the figures.")
  var evaluate: String?

  @Option(help: ArgumentHelp("With --evaluate: write each negative test image the model accepts as a digit as a 28x28 PNG into this directory (made if missing), named KIND-INDEX-as-DIGIT.png, to see what it confuses.", valueName: "dir"))
  var saveAccepted: String?

  @Option(help: "Where to write the model; the model card goes beside it. Existing files are not replaced without --overwrite.")
  var out = "mnist-int8.dgi"

  @Option(help: "Architecture: a preset name or a spec string.")
  var arch = "default"

  @Option(help: "Model name stored in the file (default: the output file's name).")
  var name: String?

  @Option(help: "Directory with the MNIST files (default: $DIGITINFER_DATA, then ../shared/data).")
  var data: String?

  @Option(help: "Training epochs (early stopping may end sooner).")
  var epochs = 40

  @Option(help: "Images per batch.")
  var batchSize = 64

  @Option(help: "Peak learning rate (after a one-epoch warm-up, cosine decay).")
  var learningRate = 0.002

  @Option(help: "adam or sgd (with momentum 0.9).")
  var optimizer: OptimizerKind = .adam

  @Option(help: "Decoupled weight decay on weights.")
  var weightDecay = 1e-4

  @Option(help: "Random seed: the same seed and data give the same model on the same machine.")
  var seed: UInt64 = 1

  @Flag(help: "Train without random distortions (rotation, scale, shift, aspect, shear, stroke width).")
  var noAugment = false

  @Option(help: "Augmentation: widths are stretched or squeezed by up to this factor.")
  var aspect = Augmentation.standard.maxAspect

  @Option(help: "Augmentation: largest horizontal shear (x shift per row from the centre).")
  var shear = Augmentation.standard.maxShear

  @Option(help: "Augmentation: largest partial stroke dilation or erosion (0...1; 1 is about 2 px of width).")
  var stroke = Augmentation.standard.maxStroke

  @Option(help: "Early stopping: stop after this many epochs without a better validation loss, keeping the best epoch's weights (default 0: train the whole cosine schedule).")
  var patience = 0

  @Option(help: "Train on only the first N training images (quick runs).")
  var trainLimit: Int?

  @Option(help: "auto (best int8 validation accuracy), minmax, or a percentile such as 99.99.")
  var calibration = "auto"

  @Option(help: "Save a float checkpoint here after every epoch.")
  var checkpoint: String?

  @Flag(help: "Continue training from --checkpoint.")
  var resume = false

  @Flag(help: "Skip training: quantize and export the model in --checkpoint.")
  var exportOnly = false

  @Flag(help: "Write the model even if int8 accuracy is more than 0.3 points below float.")
  var force = false

  @Flag(help: "Replace the model, card and plot at --out (and a --checkpoint, when training anew) if they exist.")
  var overwrite = false

  @Flag(help: "Print only the final summary.")
  var quiet = false

  @Option(help: "Worker threads (default: all cores).")
  var threads: Int?

  mutating func validate() throws {
    guard int8 || evaluate != nil else { throw ValidationError("--int8 is required (the only export format)") }
    guard negatives > 0, negatives <= 1 else { throw ValidationError("--negatives must be in (0, 1]") }
    guard preprocessedDigits >= 0, preprocessedDigits <= 1 else { throw ValidationError("--preprocessed-digits must be in [0, 1]") }
    guard cutPieces >= 0, cutPieces <= 1 else { throw ValidationError("--cut-pieces must be in [0, 1]") }
    guard epochs >= 0, batchSize > 0, learningRate > 0, patience >= 0 else {
      throw ValidationError("--epochs, --batch-size, --learning-rate and --patience must be positive")
    }
    if (resume || exportOnly) && checkpoint == nil { throw ValidationError("--resume and --export-only need --checkpoint") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    guard aspect >= 1, shear >= 0, (0...1).contains(stroke) else {
      throw ValidationError("--aspect must be at least 1, --shear at least 0, --stroke in 0...1")
    }
    _ = try parsedCalibration()
    // Before the data is loaded: a typo in --arch costs no time.
    do { _ = try architecture() } catch { throw ValidationError("--arch \(arch): \(error)") }
  }

  /// --arch with the class count of --not-a-digit / --digits-only.
  func architecture() throws -> Architecture {
    let named = try Architecture.named(arch)
    guard let classes else { return named }
    return try named.withClasses(classes == .notADigit ? 11 : 10)
  }

  func parsedCalibration() throws -> [Calibration] {
    switch calibration {
    case "auto": return Calibration.candidates
    case "minmax": return [.minMax]
    default:
      guard let p = Double(calibration), p > 50, p <= 100 else {
        throw ValidationError("--calibration must be auto, minmax or a percentile in (50, 100]")
      }
      return [.percentile(p)]
    }
  }

  func run() throws {
    lineBufferStandardOutput()
    let started = Date()
    if let threads { Training.threads = threads }
    let log: (String) -> Void = { if !quiet { print($0) } }
    if let evaluate { return try measure(evaluate) }

    // The outputs first: a path that cannot be written (no permission, a
    // device node, a directory) is reported now, not after the training.
    let modelName = name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
    let outDirectory = URL(fileURLWithPath: out).deletingLastPathComponent().path
    try AtomicFile.createDirectory(for: out)
    let cardPaths = try ModelCard.paths(for: modelName, in: outDirectory)
    let written = [out] + cardPaths
    let fresh = resume || exportOnly ? [] : checkpoint.map { [$0] } ?? []
    try AtomicFile.checkReplaceable(written + (exportOnly ? [] : checkpoint.map { [$0] } ?? []))
    // Nothing is replaced unless asked, and nothing is touched (not even a
    // killed run's journal finished) when refusing.
    if !overwrite, let existing = (written + fresh).first(where: { FileManager.default.fileExists(atPath: $0) }) {
      throw ValidationError("\(existing) exists; not replacing it (use --overwrite to replace it\(fresh.contains(existing) ? ", --resume to continue it" : ""))")
    }
    // A run killed while writing: finish its group, drop its temporaries.
    try AtomicFile.recover(written)
    if let checkpoint { try AtomicFile.recover([checkpoint]) }

    let directory = try MNIST.directory(flag: data)
    let all = try MNIST.train(in: directory)
    let test = try MNIST.test(in: directory)
    let (train, validationDigits) = try MNIST.split(all, limit: trainLimit)
    log("MNIST from \(directory): \(train.count) training, \(validationDigits.count) validation, \(test.count) test images")

    var options = TrainingOptions()
    options.epochs = epochs
    options.batchSize = batchSize
    options.learningRate = learningRate
    options.optimizer = optimizer
    options.weightDecay = weightDecay
    options.seed = seed
    options.augment = !noAugment
    options.aspect = aspect
    options.shear = shear
    options.stroke = stroke
    options.patience = patience

    let trainer: Trainer
    if let checkpoint, resume || exportOnly {
      trainer = try Checkpoint.load(from: checkpoint, options: exportOnly ? nil : options)
      log("checkpoint \(checkpoint): \(trainer.architecture), \(trainer.history.count) epochs trained")
    } else {
      trainer = Trainer(architecture: try self.architecture(), options: options)
    }
    let architecture = trainer.architecture
    log("architecture \(architecture): \(architecture.parameterCount.formatted()) parameters, \(architecture.macs.formatted()) MACs")
    var settings = Exporter.Settings()
    settings.negatives = negatives
    settings.preprocessedDigits = preprocessedDigits
    settings.cutPieces = cutPieces
    settings.calibrations = try parsedCalibration()
    let exporter = Exporter(trainer: trainer, train: train, validationDigits: validationDigits, settings: settings)
    if let extra = exporter.extra {
      log("not a digit: \(extra(0).count) generated images per epoch (negatives, preprocessed digits\(cutPieces > 0 ? ", cut pieces" : "")), \(exporter.validation.count - validationDigits.count) for validation")
    }
    if !exportOnly {
      // A progress bar per epoch on stderr, and each epoch's line on stdout.
      var bar: (epoch: Int, bar: ProgressBar)?
      let epochs = options.epochs
      try exporter.train(
        progress: { [quiet] event in
          switch event {
          case .batch(let epoch, let done, let total, let loss, let accuracy):
            if bar?.epoch != epoch {
              bar = (epoch, ProgressBar(label: "epoch \(epoch)/\(epochs)", total: total, quiet: quiet))
            }
            bar?.bar.update(done: done, loss: loss, accuracy: accuracy)
          case .epoch(let record, let best):
            bar?.bar.finish(summary: record.line(of: epochs, best: best))
          }
        }
      ) { t in
        if let checkpoint { try Checkpoint.save(t, to: checkpoint) }
      }
    } else {
      trainer.useBestWeights()
    }

    // Calibrate, choose, measure (the int8 figures come from the runtime).
    let candidates = try exporter.calibrate(name: modelName)
    for c in candidates {
      log(String(format: "calibration %@: int8 validation accuracy %.2f%%", c.method.description, 100 * c.validationAccuracy))
    }
    guard let chosen = Exporter.choose(candidates) else { throw ValidationError("--calibration: no method to try") }
    let figures = try exporter.measure(chosen.model, test: test)
    print(String(format: "test accuracy: float %.2f%%, int8 %.2f%% (runtime), difference %.2f points",
      100 * figures.float.accuracy, 100 * figures.int8.accuracy, figures.drop))
    if let notADigit = figures.notADigit {
      print(String(format: "not a digit: %.2f%% of %d negative test images accepted as digits (int8), %d MNIST test digits rejected",
        100 * notADigit.acceptanceRate, notADigit.negatives, notADigit.rejectedTestDigits))
    }
    do {
      try Exporter.gate(figures, force: force)
    } catch {
      throw ValidationError("\(error); not writing \(out) (use --force to write anyway)")
    }

    let date = ISO8601DateFormatter().string(from: Date())
    let model = exporter.stamped(chosen, figures, date: date)
    let bytes = try model.encoded()
    let card = exporter.card(
      name: modelName, bytes: bytes, model: model, chosen: chosen, figures: figures,
      command: (["export-model"] + CommandLine.arguments.dropFirst()).joined(separator: " "), date: date,
      notes: [String(format: "Total time %.0f s.", Date().timeIntervalSince(started))])
    try Exporter.write(bytes, card: card, to: out)
    print("wrote \(out) (\(bytes.count.formatted()) bytes) and its model card")
  }
}

extension OptimizerKind: ExpressibleByArgument {}

enum ClassChoice: String, EnumerableFlag {
  case notADigit, digitsOnly
}

extension ExportModel {
  /// --evaluate: the figures of docs/NOT-A-DIGIT.md for a saved model.
  func measure(_ path: String) throws {
    let model = try Model(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    let directory = try MNIST.directory(flag: data)
    let (_, holdout) = try MNIST.split(try MNIST.train(in: directory))
    let test = try MNIST.test(in: directory)
    let negatives = Rejection.testSet(testDigits: test)
    var methods: [(String, Float?)] = [("argmax", nil)]
    let threshold = try Rejection.threshold(model, digits: holdout)
    methods.append((String(format: "max probability below %.6f (rejects at most 0.05%% of the %d held-out training digits)", threshold, holdout.count), threshold))
    for (method, threshold) in methods {
      let negativeAnswers = try Rejection.answers(model, negatives, threshold: threshold)
      let figures = Rejection.figures(
        method: method, test: test, testAnswers: try Rejection.answers(model, test, threshold: threshold),
        negatives: negatives, negativeAnswers: negativeAnswers, floatNegativeAnswers: nil)
      print("\(path): \(method)")
      print(String(format: "  MNIST test accuracy (rejections are errors) %.2f%%, %d test digits rejected", 100 * figures.testAccuracy, figures.rejectedTestDigits))
      print(String(format: "  negatives accepted as digits %.2f%% (%d of %d)", 100 * figures.acceptanceRate, figures.acceptedInt8, figures.negatives))
      for (kind, counts) in figures.acceptedByKind.sorted(by: { $0.key < $1.key }) {
        print(String(format: "    %-14@ %6.2f%% (%d of %d)", kind as NSString, 100 * Double(counts[0]) / Double(max(1, counts[1])), counts[0], counts[1]))
      }
      if let saveAccepted, threshold == nil { try Self.save(accepted: negativeAnswers, of: negatives, in: saveAccepted) }
      // Digits that are not MNIST's, from their native sizes through
      // dgi_preprocess (README's table; tools/test.sh's floors).
      for (set, images, labels) in Self.external {
        let base = directory + "/../external/"
        guard let digits = try? IDX.readSet(images: base + images, labels: base + labels, name: set) else { continue }
        var answers: [Int] = []
        for i in 0..<digits.count {
          let pixels = Array(digits.image(i))
          guard let input = try? Model.preprocess(gray: pixels, width: digits.columns, height: digits.rows) else {
            answers.append(Model.notADigitClass)
            continue
          }
          let answer = try model.classify(input)
          answers.append(threshold.map { answer.confidence < $0 } ?? false ? Model.notADigitClass : answer.predictedClass)
        }
        let correct = zip(answers, digits.labels).filter { $0 == Int($1) }.count
        print(String(format: "  %@ through dgi_preprocess: %.2f%% (%d of %d), %d rejected", set, 100 * Double(correct) / Double(digits.count),
          correct, digits.count, answers.filter { $0 == Model.notADigitClass }.count))
      }
    }
  }

  /// --save-accepted: the negatives answered as a digit, as PNGs.
  static func save(accepted answers: [Int], of negatives: DigitSet, in directory: String) throws {
    var files: [(path: String, data: Data)] = []
    for (i, answer) in answers.enumerated() where answer != Model.notADigitClass {
      let kind = Rejection.testKind(of: i).rawValue
      let png = try PNGEncoder.encode(GrayImage(width: negatives.columns, height: negatives.rows, pixels: Array(negatives.image(i))))
      files.append(("\(directory)/\(kind)-\(i)-as-\(answer).png", Data(png)))
    }
    try AtomicFile.createDirectory(at: directory)
    try AtomicFile.write(files)
    print("  \(files.count) accepted negatives written to \(directory)")
  }

  static let external = [
    ("semeion", "semeion/semeion-images-idx3-ubyte.gz", "semeion/semeion-labels-idx1-ubyte.gz"),
    ("optdigits windep", "optdigits_32x32/optdigits-windep-images-idx3-ubyte.gz", "optdigits_32x32/optdigits-windep-labels-idx1-ubyte.gz"),
  ]
}
