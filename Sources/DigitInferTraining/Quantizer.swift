import DigitInferData
import DigitInferFormat
import Foundation

/// How activation ranges are estimated from the calibration images.
public enum Calibration: Sendable, Equatable, CustomStringConvertible {
  /// The largest (and smallest) value seen.
  case minMax
  /// A percentile of the values seen (e.g. 99.99), which ignores rare
  /// outliers at the cost of clipping them.
  case percentile(Double)

  public var description: String {
    switch self {
    case .minMax: "min/max"
    case .percentile(let p): "percentile \(p)"
    }
  }

  public static let candidates: [Calibration] = [.minMax, .percentile(99.99), .percentile(99.9)]
}

/// Post-training int8 quantization of a trained float network: batch norm
/// folded into the weights, weights symmetric per output channel,
/// activations per tensor from calibration, biases in int32, and the
/// requantization multipliers and shifts computed here once.
public enum Quantizer {
  public static func quantize(
    _ trainer: Trainer, calibration images: DigitSet, method: Calibration, name: String,
    metadata: [(key: String, value: String)] = []
  ) throws -> QuantizedModel {
    try quantize(trainer, statistics: measure(trainer, images), method: method, name: name, metadata: metadata)
  }

  /// Quantizes with activation ranges from statistics measured once, so that
  /// several calibration methods can be compared without running the
  /// calibration images through the network again.
  public static func quantize(
    _ trainer: Trainer, statistics: ActivationStatistics, method: Calibration, name: String,
    metadata: [(key: String, value: String)] = []
  ) throws -> QuantizedModel {
    let network = trainer.network
    let ranges = statistics.ranges(method)
    var layers: [QuantizedLayer] = []
    var scale = 1.0 / 255, zeroPoint = QuantizedModel.inputZeroPoint
    var shape = QuantizedModel.inputShape
    for (b, block) in network.blocks.enumerated() {
      let planned = block.planned
      switch planned.kind {
      case .maxpool2d:
        layers.append(
          QuantizedLayer(
            kind: .maxpool2d, input: shape, outputChannels: shape.channels, inputZeroPoint: zeroPoint,
            outputZeroPoint: zeroPoint, outputScale: Float(scale)))
        shape = planned.output
        continue
      case .conv2d, .dense:
        if planned.kind == .dense && (shape.height != 1 || shape.width != 1) {
          layers.append(
            QuantizedLayer(
              kind: .flatten, input: shape, outputChannels: shape.count, inputZeroPoint: zeroPoint,
              outputZeroPoint: zeroPoint, outputScale: Float(scale)))
          shape = Shape(1, 1, shape.count)
        }
      case .flatten:
        continue
      }
      let (w, bias) = folded(block)
      let outChannels = planned.output.channels
      let fanIn = w.count / outChannels
      // Output range: [0, hi] after ReLU (zero point -128), else [lo, hi]
      // widened to include 0 so that 0 is exact.
      let (lo, hi) = ranges[b]!
      let outScale: Double
      let outZeroPoint: Int8
      if planned.relu {
        outScale = max(hi, 1e-6) / 255
        outZeroPoint = -128
      } else {
        let low = min(lo, 0), high = max(hi, 0)
        outScale = max(high - low, 1e-6) / 255
        outZeroPoint = Int8(clamping: Int((-128 - low / outScale).rounded()))
      }
      var layer = QuantizedLayer(
        kind: planned.kind == .dense ? .dense : .conv2d, input: shape, outputChannels: outChannels,
        kernelHeight: planned.kernel, kernelWidth: planned.kernel, samePadding: planned.same, relu: planned.relu,
        inputZeroPoint: zeroPoint, outputZeroPoint: outZeroPoint, outputScale: Float(outScale))
      for c in 0..<outChannels {
        let row = w[(c * fanIn)..<((c + 1) * fanIn)]
        let largest = Double(row.map { abs($0) }.max() ?? 0)
        let weightScale = largest > 0 ? largest / 127 : 1
        layer.weights += row.map { Int8(clamping: Int((Double($0) / weightScale).rounded())) }
        let accScale = scale * weightScale
        let limit = Double(Int32.max) - Double(fanIn) * 255 * 127
        layer.bias.append(Int32(max(-limit, min(limit, (Double(bias[c]) / accScale).rounded()))))
        let (m, s) = try Requantization.multiplier(for: accScale / outScale)
        layer.multipliers.append(m)
        layer.shifts.append(s)
      }
      layers.append(layer)
      shape = planned.output
      scale = outScale
      zeroPoint = outZeroPoint
    }
    return QuantizedModel(name: name, metadata: metadata, layers: layers)
  }

  /// Weights and biases with the block's batch norm folded in:
  /// w' = w * g / sqrt(var + eps), b' = (b - mean) * g / sqrt(var + eps) + beta.
  static func folded(_ block: Network.Block) -> (weights: [Float], bias: [Float]) {
    let params = block.weights!.parameters
    var w = params[0].value, b = params[1].value
    guard let bn = block.batchNorm else { return (w, b) }
    let fanIn = w.count / b.count
    for c in 0..<b.count {
      let s = bn.gamma.value[c] / (bn.runningVariance[c] + bn.epsilon).squareRoot()
      for i in 0..<fanIn { w[c * fanIn + i] *= s }
      b[c] = (b[c] - bn.runningMean[c]) * s + bn.beta.value[c]
    }
    return (w, b)
  }

  /// Runs the calibration images through the float network once and keeps,
  /// for each weighted block's output, its extremes and a sorted sample.
  public static func measure(_ trainer: Trainer, _ images: DigitSet) -> ActivationStatistics {
    let network = trainer.network
    var watched: [Int: Int] = [:]  // layer index -> block index
    for (b, block) in network.blocks.enumerated() where block.weights != nil { watched[block.outputLayer] = b }
    var samples: [Int: [Float]] = [:]
    var extremes: [Int: (Float, Float)] = [:]
    for start in stride(from: 0, to: images.count, by: 500) {
      let (x, _) = trainer.batch(images, Array(start..<min(images.count, start + 500))[...], epoch: nil)
      _ = network.forward(x, training: false) { layer, out in
        guard let b = watched[layer] else { return }
        var (lo, hi) = extremes[b] ?? (Float.infinity, -Float.infinity)
        for v in out.data {
          lo = min(lo, v)
          hi = max(hi, v)
        }
        extremes[b] = (lo, hi)
        // A strided sample, at most ~2 M values per layer, for percentiles.
        let stride = max(1, (out.data.count * images.count / out.count) / 2_000_000)
        samples[b, default: []] += Swift.stride(from: 0, to: out.data.count, by: stride).map { out.data[$0] }
      }
    }
    return ActivationStatistics(extremes: extremes, sorted: samples.mapValues { $0.sorted() })
  }
}

/// What calibration measured of each weighted block's output.
public struct ActivationStatistics {
  let extremes: [Int: (Float, Float)]
  let sorted: [Int: [Float]]

  /// (low, high) per block index for a calibration method.
  func ranges(_ method: Calibration) -> [Int: (Double, Double)] {
    var ranges: [Int: (Double, Double)] = [:]
    for (b, (lo, hi)) in extremes {
      switch method {
      case .minMax:
        ranges[b] = (Double(lo), Double(hi))
      case .percentile(let p):
        let values = sorted[b]!
        let at = { (q: Double) in Double(values[min(values.count - 1, max(0, Int(q / 100 * Double(values.count - 1))))]) }
        ranges[b] = (at(100 - p), at(p))
      }
    }
    return ranges
  }
}
