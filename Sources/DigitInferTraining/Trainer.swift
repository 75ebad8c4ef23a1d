import DigitInferData
import DigitInferFormat
import DigitInferReport
import DigitInferSupport
import Foundation

/// How to train.
public struct TrainingOptions: Sendable, Codable {
  public var epochs = 40
  public var batchSize = 64
  public var learningRate = 0.002
  public var optimizer = OptimizerKind.adam
  public var weightDecay = 1e-4
  public var seed: UInt64 = 1
  public var augment = true
  /// Beyond rotation, scale and shift: aspect-ratio factor, shear and stroke
  /// dilation/erosion limits (see `Augmentation`).
  public var aspect = Augmentation.standard.maxAspect
  public var shear = Augmentation.standard.maxShear
  public var stroke = Augmentation.standard.maxStroke
  /// Stop after this many epochs without a better validation loss and keep
  /// the best epoch's weights (0: train the whole schedule).
  public var patience = 0
  public init() {}
}

/// What the trainer reports as it goes; it prints nothing itself (the
/// exporter draws a progress bar and the epoch lines from these).
public enum TrainingProgress {
  /// After each batch: `done` of the epoch's `total` images, with the
  /// running loss and accuracy (a fraction). `epoch` counts from 1.
  case batch(epoch: Int, done: Int, total: Int, loss: Double, accuracy: Double)
  /// After each epoch's validation: its record, and whether its validation
  /// loss is the best so far.
  case epoch(EpochRecord, best: Bool)
}

/// Trains a network on a training set, validating on a held-out set after
/// every epoch. With a patience, stops when the validation loss has not
/// improved for that many epochs and returns to the best epoch's weights.
public final class Trainer {
  let network: Network
  public let options: TrainingOptions
  let optimizer: Optimizer
  public private(set) var history: [EpochRecord] = []
  private var best: (loss: Double, state: [[Float]])?

  public init(architecture: Architecture, options: TrainingOptions) {
    network = Network(architecture, seed: options.seed)
    self.options = options
    optimizer = Optimizer(options.optimizer, weightDecay: options.weightDecay)
  }

  public var architecture: Architecture { network.architecture }
  var bestState: [[Float]]? { best?.state }
  var bestLoss: Double? { best?.loss }

  func restore(history: [EpochRecord], best: (Double, [[Float]])?) {
    self.history = history
    self.best = best.map { (loss: $0.0, state: $0.1) }
  }

  /// Puts the best weights seen so far in place (done at the end of training).
  public func useBestWeights() {
    if let best { network.state = best.state }
  }

  /// Runs the remaining epochs (all of them, or those after a resumed
  /// checkpoint). `progress` hears of every batch and epoch; `afterEpoch`
  /// runs after each epoch, e.g. to save a checkpoint.
  ///
  /// `extra` adds images to an epoch's training set (e.g. generated "not a
  /// digit" negatives, new ones each epoch); it must give the same images for
  /// the same epoch, so that a resumed run trains as an uninterrupted one.
  /// Only `digits` get the random distortions; the extra images are used as
  /// they are.
  public func train(
    _ digits: DigitSet, validation: DigitSet, extra: ((Int) -> DigitSet)? = nil,
    progress: (TrainingProgress) -> Void = { _ in }, afterEpoch: (Trainer) throws -> Void = { _ in }
  ) rethrows {
    let size = digits.count + (extra?(0).count ?? 0)
    let batches = (size + options.batchSize - 1) / options.batchSize
    let schedule = LearningRateSchedule(
      peak: options.learningRate, warmupSteps: batches, totalSteps: batches * options.epochs)
    // Epochs since the best validation loss (a resumed run continues counting).
    var sinceBest = history.count - 1 - (history.lastIndex { $0.validationLoss == best?.loss } ?? (history.count - 1))
    var stoppedEarly = false
    for epoch in history.count..<options.epochs {
      if options.patience > 0 && sinceBest >= options.patience {
        stoppedEarly = true
        break
      }
      let start = Date()
      let train = extra.map { digits.appending($0(epoch)) } ?? digits
      precondition(train.count == size, "extra images must be as many each epoch")
      var order = Array(0..<train.count)
      var shuffler = SplitMix64(seed: options.seed &+ UInt64(epoch) &* 0x9E37_79B9)
      order.shuffle(using: &shuffler)
      var lossSum = 0.0, correct = 0, seen = 0
      var lr = 0.0
      for b in 0..<batches {
        let indices = order[(b * options.batchSize)..<min(train.count, (b + 1) * options.batchSize)]
        let (x, labels) = batch(train, indices, epoch: epoch, distorted: digits.count)
        network.zeroGradients()
        let logits = network.forward(x, training: true)
        let (loss, right, gradient) = softmaxCrossEntropy(logits, labels[...])
        network.backward(gradient)
        lr = schedule.rate(at: epoch * batches + b)
        optimizer.update(network.parameters, learningRate: lr)
        lossSum += loss * Double(indices.count)
        correct += right
        seen += indices.count
        progress(
          .batch(
            epoch: epoch + 1, done: seen, total: train.count, loss: lossSum / Double(seen),
            accuracy: Double(correct) / Double(seen)))
      }
      let seconds = Date().timeIntervalSince(start)
      let (vLoss, vAccuracy) = evaluate(validation)
      let record = EpochRecord(
        epoch: epoch + 1, learningRate: lr, trainLoss: lossSum / Double(seen),
        trainAccuracy: Double(correct) / Double(seen), validationLoss: vLoss, validationAccuracy: vAccuracy,
        seconds: seconds, imagesPerSecond: Double(seen) / seconds)
      history.append(record)
      if best == nil || vLoss < best!.loss {
        best = (vLoss, network.state)
        sinceBest = 0
      } else {
        sinceBest += 1
      }
      progress(.epoch(record, best: sinceBest == 0))
      try afterEpoch(self)
    }
    // Early stopping means the model stopped improving: go back to its best
    // epoch. A run that completes its schedule keeps its final weights, which
    // the decayed learning rate has settled (a mid-run minimum of the
    // validation loss is mostly noise under augmentation and dropout).
    if stoppedEarly { useBestWeights() }
  }

  /// Images as floats in 0...1 (augmented in training), and their labels.
  /// Each image's distortion comes from its own seeded generator, so the
  /// batch does not depend on how threads share the work.
  /// `distorted`: in training, only images below this index get the random
  /// distortions (the digits; not the `extra` images after them).
  func batch(_ set: DigitSet, _ indices: ArraySlice<Int>, epoch: Int?, distorted: Int = .max) -> (Batch, [UInt8]) {
    var x = Batch(count: indices.count, shape: Shape(28, 28, 1))
    let list = Array(indices)
    var distortion = Augmentation.standard
    distortion.maxAspect = options.aspect
    distortion.maxShear = options.shear
    distortion.maxStroke = options.stroke
    let augmentation: Augmentation? = epoch != nil && options.augment ? distortion : nil
    set.pixels.withUnsafeBufferPointer { pixels in
      x.data.withUnsafeMutableBufferPointer { xs in
        let (pb, xb) = (pixels.baseAddress!, xs.baseAddress!)
        Parallel.forEach(list.count) { range, _ in
          for s in range {
            let src = pb + list[s] * 784, dst = xb + s * 784
            // The extra images (negatives, digits through dgi_preprocess)
            // are not distorted: they are drawn anew each epoch with their
            // own size, slant and pen, and resampling would blur noise and
            // ruling into what no real input looks like (the raw salt and
            // pepper of the test set then passed as a 4). Distorting only
            // one class of them would make "distorted" a cue of its own
            // (docs/NOT-A-DIGIT.md).
            if let augmentation, let epoch, list[s] < distorted {
              var rng = SplitMix64(seed: options.seed ^ (UInt64(epoch) << 32) ^ UInt64(list[s]) &* 0x2545_F491_4F6C_DD1D)
              augmentation.apply(src, dst, using: &rng)
            } else {
              Augmentation.copy(src, dst)
            }
          }
        }
      }
    }
    return (x, list.map { set.labels[$0] })
  }

  /// Mean loss and accuracy of the float network (inference mode).
  public func evaluate(_ set: DigitSet) -> (loss: Double, accuracy: Double) {
    var lossSum = 0.0, correct = 0
    for start in stride(from: 0, to: set.count, by: 500) {
      let indices = start..<min(set.count, start + 500)
      let (x, labels) = batch(set, Array(indices)[...], epoch: nil)
      let (loss, right, _) = softmaxCrossEntropy(network.forward(x, training: false), labels[...])
      lossSum += loss * Double(indices.count)
      correct += right
    }
    return (lossSum / Double(set.count), Double(correct) / Double(set.count))
  }

  /// Float predictions (argmax of the logits: 0...9, or 10 for "not a
  /// digit" in an 11-class network) for every image of a set.
  public func predict(_ set: DigitSet) -> [Int] {
    var out: [Int] = []
    for start in stride(from: 0, to: set.count, by: 500) {
      let (x, _) = batch(set, Array(start..<min(set.count, start + 500))[...], epoch: nil)
      let logits = network.forward(x, training: false)
      let k = logits.shape.count
      for s in 0..<x.count {
        let row = logits.data[(s * k)..<((s + 1) * k)]
        out.append(row.firstIndex(of: row.max()!)! - s * k)
      }
    }
    return out
  }
}

/// Process-wide training settings.
public enum Training {
  /// Worker threads for the batch-parallel kernels (default: all cores).
  public static var threads: Int {
    get { Parallel.threads }
    set { Parallel.threads = max(1, newValue) }
  }
}
