import DigitInferFormat
import DigitInferSupport
import Foundation

/// A float network built from an `Architecture`, in training order
/// (conv, batch norm, ReLU, ...). `blocks` map it back to the runtime's
/// layers for export.
final class Network {
  let architecture: Architecture
  private(set) var layers: [any Layer] = []
  private(set) var blocks: [Block] = []

  /// One runtime layer and the training layers that produce it.
  struct Block {
    let planned: PlannedLayer
    let weights: (any Layer)?  // Conv2D or Dense
    let batchNorm: BatchNorm?
    /// Index in `layers` of the block's last layer (after ReLU): its output
    /// is the runtime layer's output, which calibration measures.
    let outputLayer: Int
  }

  init(_ architecture: Architecture, seed: UInt64) {
    self.architecture = architecture
    var rng = SplitMix64(seed: seed)
    var shape = Shape(28, 28, 1)
    let plan = architecture.plan.filter { $0.kind != .flatten }
    var planIndex = 0
    let steps = architecture.steps
    var i = 0
    var dropoutIndex: UInt64 = 0
    while i < steps.count {
      switch steps[i] {
      case .conv(let f, let k, let same):
        let conv = Conv2D(input: shape, filters: f, kernel: k, same: same, rng: &rng)
        i = appendBlock(conv, plan[planIndex], &shape, steps, i)
        planIndex += 1
      case .dense(let n):
        let dense = Dense(inputs: shape.count, outputs: n, rng: &rng)
        shape = Shape(1, 1, shape.count)
        i = appendBlock(dense, plan[planIndex], &shape, steps, i)
        planIndex += 1
      case .pool:
        let pool = MaxPool(input: shape)
        layers.append(pool)
        shape = pool.outputShape
        blocks.append(Block(planned: plan[planIndex], weights: nil, batchNorm: nil, outputLayer: layers.count - 1))
        planIndex += 1
        i += 1
      case .dropout(let rate):
        let d = Dropout(shape: shape, rate: rate)
        d.rng = SplitMix64(seed: seed &+ 0x5EED &+ dropoutIndex)
        dropoutIndex += 1
        layers.append(d)
        i += 1
      case .batchNorm:
        i += 1  // consumed by appendBlock
      }
    }
  }

  private func appendBlock(
    _ layer: any Layer, _ planned: PlannedLayer, _ shape: inout Shape, _ steps: [Architecture.Step], _ i: Int
  ) -> Int {
    layers.append(layer)
    shape = layer.outputShape
    var next = i + 1
    var bn: BatchNorm?
    if next < steps.count, steps[next] == .batchNorm {
      bn = BatchNorm(shape: shape)
      layers.append(bn!)
      next += 1
    }
    if planned.relu { layers.append(ReLU(shape: shape)) }
    blocks.append(Block(planned: planned, weights: layer, batchNorm: bn, outputLayer: layers.count - 1))
    return next
  }

  var parameters: [Parameter] { layers.flatMap(\.parameters) }

  /// Logits for a batch of 28x28 images in 0...1. With `probe`, also returns
  /// the output of every layer (for calibration).
  func forward(_ x: Batch, training: Bool, probe: ((Int, Batch) -> Void)? = nil) -> Batch {
    var a = x
    for (i, layer) in layers.enumerated() {
      a = layer.forward(a, training: training)
      probe?(i, a)
    }
    return a
  }

  func backward(_ dLogits: Batch) {
    var g = dLogits
    for (i, layer) in layers.enumerated().reversed() { g = layer.backward(g, needInput: i > 0) }
  }

  func zeroGradients() {
    for p in parameters { for i in 0..<p.gradient.count { p.gradient[i] = 0 } }
  }

  /// Everything that defines the trained model: parameters, then the
  /// batch-norm running statistics (for snapshots and checkpoints).
  var state: [[Float]] {
    get {
      parameters.map(\.value) + layers.compactMap { $0 as? BatchNorm }.flatMap { [$0.runningMean, $0.runningVariance] }
    }
    set {
      let ps = parameters
      for (p, v) in zip(ps, newValue) { p.value = v }
      var rest = newValue.dropFirst(ps.count)
      for bn in layers.compactMap({ $0 as? BatchNorm }) {
        bn.runningMean = rest.removeFirst()
        bn.runningVariance = rest.removeFirst()
      }
    }
  }
}

/// Mean softmax cross-entropy of a batch of logits, the number classified
/// right, and the gradient with respect to the logits.
func softmaxCrossEntropy(_ logits: Batch, _ labels: ArraySlice<UInt8>) -> (loss: Double, correct: Int, gradient: Batch) {
  let k = logits.shape.count
  var gradient = logits
  var loss = 0.0
  var correct = 0
  for (s, label) in labels.enumerated() {
    let row = Array(logits.data[(s * k)..<((s + 1) * k)])
    let top = row.max()!
    let exps = row.map { Foundation.exp(Double($0 - top)) }
    let total = exps.reduce(0, +)
    loss -= Foundation.log(exps[Int(label)] / total)
    if row.firstIndex(of: top)! == Int(label) { correct += 1 }
    for j in 0..<k {
      gradient.data[s * k + j] = Float((exps[j] / total - (j == Int(label) ? 1 : 0)) / Double(labels.count))
    }
  }
  return (loss / Double(labels.count), correct, gradient)
}
