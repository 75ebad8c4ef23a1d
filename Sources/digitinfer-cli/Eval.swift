import ArgumentParser
import DigitInfer
import DigitInferData
import DigitInferImage
import DigitInferReport
import DigitInferSupport
import Foundation

/// Accuracy of a model on a labelled IDX set, through the C API.
struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure a model's accuracy on a labelled set of IDX files.",
    discussion: """
      Reads an IDX image file and its label file (plain or .gz, any image size), classifies every image with dgi_classify_batch() on all cores (each thread a share of the images, in batches of \(Evaluator.batchSize); the answers are those of dgi_classify() on each image), and prints the accuracy, each digit's precision and recall, the confusion matrix (rows: true digit, columns: predicted), and the throughput. Without IMAGES and LABELS, evaluates on the MNIST test set (t10k-*) found via --data, $DIGITINFER_DATA or ../shared/data.

      Without --preprocess the images are the model's input as they are, so they must be 28x28 with MNIST's polarity (0 = background). --preprocess runs dgi_preprocess() on each image first, as classify does for photos; sets like semeion and optdigits are light ink on a dark background, so use --ink light (or auto). An image in which dgi_preprocess finds no ink counts as an error; it is reported but in no column of the confusion matrix.

      --json prints one object with: \(LoadedModel.jsonHelp), kernels (the kernel set the model ran, see --kernels), images, labels, preprocess, ink, total, correct, accuracy, no_ink, not_a_digit (images the model refused as not a digit: counted as errors, as a digit-labelled set expects digits), rejection_rate (not_a_digit / total), precision, recall, support (10 each), confusion (10x10, rows = true digit), seconds, threads, images_per_second.

      --errors DIR writes each misclassified image's 28x28 model input as a PNG named <index>-true<label>-pred<digit>.png (index 0-based in the set; ...-notadigit.png where the model refused it; the image itself, named ...-noink.png, where preprocessing found no ink).

      \(ModelOptions.defaultModelHelp)

      Exit status: 0 evaluated; 2 the model or the data could not be used or an error image could not be written; 64 usage error.

      Examples:
        digitinfer-cli eval
        digitinfer-cli eval t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz --json
        digitinfer-cli eval --kernels reference
        digitinfer-cli eval --preprocess --ink light \\
          semeion-images-idx3-ubyte.gz semeion-labels-idx1-ubyte.gz --errors /tmp/semeion-errors
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Argument(help: ArgumentHelp("IDX image file (plain or .gz); default: the MNIST test images.", valueName: "images"))
  var imagesPath: String?

  @Argument(help: ArgumentHelp("IDX label file (plain or .gz), one label per image.", valueName: "labels"))
  var labelsPath: String?

  @Option(help: ArgumentHelp("Directory with the MNIST files, for the default set (default: $DIGITINFER_DATA, then ../shared/data).", valueName: "dir"))
  var data: String?

  @Flag(help: "Run dgi_preprocess on each image first (any image size).")
  var preprocess = false

  @Option(help: Ink.help)
  var ink: Ink?

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  @Option(help: ArgumentHelp("Write the model input of each misclassified image as a PNG into this directory (made if missing).", valueName: "dir"))
  var errors: String?

  @Option(help: ArgumentHelp("Evaluate only the first N images.", valueName: "n"))
  var limit: Int?

  @Option(help: "Worker threads (default: all cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    if (imagesPath == nil) != (labelsPath == nil) { throw ValidationError("give both IMAGES and LABELS, or neither (the MNIST test set)") }
    if imagesPath != nil && data != nil { throw ValidationError("--data selects the default MNIST set; it does not apply with IMAGES and LABELS") }
    if ink != nil && !preprocess { throw ValidationError("--ink applies only with --preprocess") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    for (path, what) in [(imagesPath, "IMAGES"), (labelsPath, "LABELS"), (data, "--data"), (errors, "--errors")] {
      try FileName.requireUTF8(path, what)
    }
  }

  func run() throws {
    try reportingFailures {
      let model = try modelOptions.load()
      let (set, images, labels) = try loadSet()
      let side = (Int(DGI_INPUT_HEIGHT), Int(DGI_INPUT_WIDTH))
      if !preprocess && (set.rows, set.columns) != side {
        throw Failure("\(FileName(images).display): images are \(set.columns)x\(set.rows) but the model takes 28x28: add --preprocess to fit them (see --help)")
      }
      if preprocess && max(set.rows, set.columns) > Int(DGI_PREPROCESS_MAX_SIDE) {
        throw Failure("\(FileName(images).display): images are \(set.columns)x\(set.rows), over dgi_preprocess's \(DGI_PREPROCESS_MAX_SIDE) pixels a side")
      }
      if let errors { try OutputDirectory.make(errors) }

      let ink = self.ink ?? .auto
      let count = min(set.count, limit ?? set.count)
      let workers = min(threads, max(count, 1))
      let outcome = Evaluator(model: model, set: set, count: count, preprocess: preprocess ? ink : nil).run(threads: workers)

      let labelsUsed = Array(set.labels[0..<count])
      // In the confusion matrix: the images answered with a digit.
      let classified = outcome.predictions.indices.filter { (0..<10).contains(outcome.predictions[$0]) }
      let refused = outcome.predictions.filter { $0 == Evaluator.notADigit }.count
      let evaluation = Evaluation(
        labels: classified.map { labelsUsed[$0] }, predictions: classified.map { Int(outcome.predictions[$0]) })
      var support = [Int](repeating: 0, count: 10)
      for label in labelsUsed { support[Int(label)] += 1 }
      // Recall over every image of the digit, so an image without ink counts as missed.
      let recall = (0..<10).map { support[$0] == 0 ? 0 : Double(evaluation.confusion[$0][$0]) / Double(support[$0]) }
      let correct = evaluation.correct
      let accuracy = count == 0 ? 0 : Double(correct) / Double(count)
      let noInk = count - classified.count - refused
      let rejectionRate = count == 0 ? 0 : Double(refused) / Double(count)
      let speed = Double(count) / max(outcome.seconds, 1e-9)

      if json {
        Stdout.line(JSON.object(model.jsonFields + [
          ("kernels", JSON.string(model.kernelsName)),
          ("images", JSON.string(images)), ("labels", JSON.string(labels)),
          ("preprocess", String(preprocess)), ("ink", preprocess ? JSON.string(ink.rawValue) : "null"),
          ("total", String(count)), ("correct", String(correct)), ("accuracy", JSON.number(accuracy)),
          ("no_ink", String(noInk)), ("not_a_digit", String(refused)), ("rejection_rate", JSON.number(rejectionRate)),
          ("precision", JSON.array(evaluation.precision.map(JSON.number))),
          ("recall", JSON.array(recall.map(JSON.number))),
          ("support", JSON.array(support.map(String.init))),
          ("confusion", JSON.array(evaluation.confusion.map { JSON.array($0.map(String.init)) })),
          ("seconds", JSON.number(outcome.seconds)), ("threads", String(workers)),
          ("images_per_second", JSON.number(speed.rounded())),
        ]))
      } else {
        Stdout.line("model        \(model.sourceDescription)")
        Stdout.line("kernels      \(model.kernelsName)")
        Stdout.line("images       \(FileName(images).display) (\(count.formatted()) of \(set.columns)x\(set.rows))")
        Stdout.line("labels       \(labels)")
        Stdout.line("preprocess   \(preprocess ? "dgi_preprocess, --ink \(ink.rawValue)" : "none (the images are the model input)")")
        Stdout.line(String(format: "accuracy     %.2f%% (%@ of %@ correct)", 100 * accuracy, correct.formatted(), count.formatted()))
        if preprocess { Stdout.line("no ink       \(noInk.formatted()) image\(noInk == 1 ? "" : "s") (dgi_preprocess found no digit; counted as errors)") }
        if model.model.info.hasNotADigit || refused > 0 {
          Stdout.line(String(format: "not a digit  %@ image%@ (%.2f%%: the model refused them; counted as errors)",
            refused.formatted(), refused == 1 ? "" : "s", 100 * rejectionRate))
        }
        Stdout.line("")
        Stdout.line("digit  precision   recall  support")
        for c in 0..<10 {
          Stdout.line(String(format: "%5d  %8.2f%%  %6.2f%%  %7d", c, 100 * evaluation.precision[c], 100 * recall[c], support[c]))
        }
        Stdout.line("")
        Stdout.line("confusion (rows: true digit, columns: predicted)")
        let width = max(4, String(evaluation.confusion.flatMap { $0 }.max() ?? 0).count + 1)
        let pad = { (s: String) in String(repeating: " ", count: max(0, width - s.count)) + s }
        Stdout.line("     " + (0..<10).map { pad(String($0)) }.joined())
        for (c, row) in evaluation.confusion.enumerated() {
          Stdout.line("  \(c)  " + row.map { pad(String($0)) }.joined())
        }
        Stdout.line("")
        Stdout.line(String(format: "throughput   %@ images/s (%d thread%@, %.3f s%@)",
          Int(speed.rounded()).formatted(), workers, workers == 1 ? "" : "s", outcome.seconds,
          preprocess ? ", preprocessing included" : ""))
      }

      if let errors {
        let written = try writeErrors(to: errors, set: set, predictions: outcome.predictions, ink: ink, model: model)
        if !json { Stdout.line("errors       \(written) PNG file\(written == 1 ? "" : "s") in \(FileName(errors).display)") }
      }
    }
  }

  /// The set named by the arguments, or the MNIST test set.
  private func loadSet() throws(Failure) -> (DigitSet, images: String, labels: String) {
    do {
      if let imagesPath, let labelsPath {
        return (try IDX.readSet(images: imagesPath, labels: labelsPath, name: imagesPath), imagesPath, labelsPath)
      }
      let directory = try MNIST.directory(flag: data)
      let images = MNIST.file(MNIST.testImages, in: directory)!
      let labels = MNIST.file(MNIST.testLabels, in: directory)!
      return (try IDX.readSet(images: images, labels: labels, name: "mnist-test"), images, labels)
    } catch {
      throw Failure("\(FileName(error.path).display): \(error.reason)")
    }
  }

  /// Misclassified images as PNG: the 28x28 model input, or the original
  /// where preprocessing found no ink. Written together, atomically.
  private func writeErrors(to directory: String, set: DigitSet, predictions: [Int32], ink: Ink, model: LoadedModel) throws(Failure) -> Int {
    let digits = max(5, String(max(set.count - 1, 0)).count)
    var pipeline = Pipeline(model: model)
    var files: [(path: String, data: Data)] = []
    for (index, predicted) in predictions.enumerated() where Int(predicted) != Int(set.labels[index]) {
      let original = Array(set.image(index))
      var image = GrayImage(width: set.columns, height: set.rows, pixels: original)
      var name = String(repeating: "0", count: max(0, digits - String(index).count)) + "\(index)-true\(set.labels[index])-"
      if predicted < 0 {
        name += "noink.png"
      } else {
        name += predicted == Evaluator.notADigit ? "notadigit.png" : "pred\(predicted).png"
        if preprocess, case .success(let r) = pipeline.preprocess(image, ink: ink) {
          image = GrayImage(width: Int(DGI_INPUT_WIDTH), height: Int(DGI_INPUT_HEIGHT), pixels: r.input)
        }
      }
      do {
        files.append(((directory as NSString).appendingPathComponent(name), Data(try PNGEncoder.encode(image))))
      } catch {
        throw Failure("\(name): cannot encode PNG: \(error.description)")
      }
    }
    do {
      try AtomicFile.write(files)
    } catch {
      throw Failure(error.description)
    }
    return files.count
  }
}

/// Classifies images 0..<count of a set on several threads, each with its
/// own pipeline (scratch buffers) and a contiguous share of the images, in
/// batches (dgi_classify_batch); the answers do not depend on the thread
/// count or the batch size.
struct Evaluator: @unchecked Sendable {
  let model: LoadedModel
  let set: DigitSet
  let count: Int
  /// Ink for dgi_preprocess, or nil to classify the images as they are.
  let preprocess: Ink?

  /// Images per dgi_classify_batch call.
  static let batchSize = 1000

  /// What `run` reports for an image the model said is not a digit.
  static let notADigit = Int32(DGI_CLASS_NOT_A_DIGIT)

  /// The predicted digit of each image, -1 where preprocessing found no ink,
  /// `notADigit` (10) where the model said it is not a digit.
  func run(threads: Int) -> (predictions: [Int32], seconds: Double) {
    var predictions = [Int32](repeating: -1, count: count)
    let start = DispatchTime.now().uptimeNanoseconds
    predictions.withUnsafeMutableBufferPointer { out in
      let output = UnsafeSendable(out)
      DispatchQueue.concurrentPerform(iterations: threads) { worker in
        let range = (count * worker / threads)..<(count * (worker + 1) / threads)
        classify(range, into: output.value)
      }
    }
    return (predictions, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }

  /// One worker: images `range`, batch by batch.
  private func classify(_ range: Range<Int>, into output: UnsafeMutableBufferPointer<Int32>) {
    let inputSize = Int(DGI_INPUT_SIZE)
    var pipeline = Pipeline(model: model)
    var results = [dgi_result](repeating: dgi_result(), count: min(Self.batchSize, range.count))
    // With --preprocess: the batch's model inputs, and the image each came from.
    var inputs = [UInt8](repeating: 0, count: preprocess == nil ? 0 : results.count * inputSize)
    var indices: [Int] = []
    indices.reserveCapacity(results.count)
    set.pixels.withUnsafeBufferPointer { pixels in
      var first = range.lowerBound
      while first < range.upperBound {
        let batch = first..<min(first + Self.batchSize, range.upperBound)
        first = batch.upperBound
        indices.removeAll(keepingCapacity: true)
        let outcome: Result<Void, PipelineError>
        if let preprocess {
          for index in batch {
            let image = UnsafeBufferPointer(rebasing: pixels[index * set.imageSize ..< (index + 1) * set.imageSize])
            // Only "no ink" can fail here (the image size is checked): such
            // an image stays out of the batch and keeps its -1.
            guard case .success(let r) = pipeline.preprocess(
              image, width: set.columns, height: set.rows, stride: set.columns, ink: preprocess)
            else { continue }
            inputs.replaceSubrange(indices.count * inputSize ..< (indices.count + 1) * inputSize, with: r.input)
            indices.append(index)
          }
          outcome = inputs.withUnsafeBufferPointer { inputs in
            results.withUnsafeMutableBufferPointer { results in
              pipeline.classifyBatch(
                UnsafeBufferPointer(rebasing: inputs[0 ..< indices.count * inputSize]),
                into: UnsafeMutableBufferPointer(rebasing: results[0 ..< indices.count]))
            }
          }
        } else {
          // The images are the model inputs, stored one after another.
          indices.append(contentsOf: batch)
          outcome = results.withUnsafeMutableBufferPointer { results in
            pipeline.classifyBatch(
              UnsafeBufferPointer(rebasing: pixels[batch.lowerBound * inputSize ..< batch.upperBound * inputSize]),
              into: UnsafeMutableBufferPointer(rebasing: results[0 ..< batch.count]))
          }
        }
        // Cannot fail: the model is open and the scratch sized for it.
        guard case .success = outcome else { continue }
        for (k, index) in indices.enumerated() {
          output[index] = results[k].isNotADigit ? Self.notADigit : results[k].digit
        }
      }
    }
  }
}

/// A value handed to worker threads that write disjoint parts of it.
struct UnsafeSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
