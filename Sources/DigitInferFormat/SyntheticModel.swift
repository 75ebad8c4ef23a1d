import DigitInferSupport
import Foundation

/// Networks with random int8 weights and plausible quantization, for
/// tests and benchmarks of the runtime (latency does not depend on what the
/// weights have learned). Trained models come from the exporter.
public enum SyntheticModel {
  public enum Layer: Sendable {
    case conv(_ channels: Int, kernel: Int, samePadding: Bool = false, relu: Bool = true)
    case maxpool
    case flatten
    case dense(_ outputs: Int, relu: Bool = true)
  }

  /// conv 1->16 5x5, maxpool 2, conv 16->32 5x5, maxpool 2, dense 512->64,
  /// dense 64->10: the reference architecture of the benchmarks (1.08 M MACs).
  public static let referenceArchitecture: [Layer] = [
    .conv(16, kernel: 5), .maxpool, .conv(32, kernel: 5), .maxpool, .flatten,
    .dense(64), .dense(10, relu: false),
  ]

  public static func make(_ spec: [Layer], seed: UInt64, name: String = "synthetic") throws -> QuantizedModel {
    var rng = SplitMix64(seed: seed)
    var shape = QuantizedModel.inputShape
    var zeroPoint = QuantizedModel.inputZeroPoint
    var layers: [QuantizedLayer] = []
    for (i, s) in spec.enumerated() {
      var layer: QuantizedLayer
      switch s {
      case .maxpool:
        layer = QuantizedLayer(
          kind: .maxpool2d, input: shape, outputChannels: shape.channels, inputZeroPoint: zeroPoint,
          outputZeroPoint: zeroPoint, outputScale: 0.05)
      case .flatten:
        layer = QuantizedLayer(
          kind: .flatten, input: shape, outputChannels: shape.count, inputZeroPoint: zeroPoint,
          outputZeroPoint: zeroPoint, outputScale: 0.05)
      case .conv(let channels, let kernel, let same, let relu):
        layer = QuantizedLayer(
          kind: .conv2d, input: shape, outputChannels: channels, kernelHeight: kernel, kernelWidth: kernel,
          samePadding: same, relu: relu, inputZeroPoint: zeroPoint,
          outputZeroPoint: relu ? -128 : Int8.random(in: -20...20, using: &rng), outputScale: 0.05)
      case .dense(let outputs, let relu):
        layer = QuantizedLayer(
          kind: .dense, input: shape, outputChannels: outputs, relu: relu, inputZeroPoint: zeroPoint,
          outputZeroPoint: relu ? -128 : Int8.random(in: -20...20, using: &rng),
          outputScale: i == spec.count - 1 ? 0.15 : 0.05)
      }
      if layer.hasParameters {
        let n = layer.outputChannels, fanIn = layer.fanIn
        layer.weights = (0..<(n * fanIn)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let spread = 1000 * Int32(min(fanIn, 1000))
        layer.bias = (0..<n).map { _ in Int32.random(in: -spread...spread, using: &rng) }
        // Rescale a typical accumulator (sqrt(fanIn) * ~70 * ~73) to about
        // +-40, so that outputs use the int8 range without saturating.
        let typical = Double(fanIn).squareRoot() * 70 * 73
        for _ in 0..<n {
          let scale = 40 / typical * Double.random(in: 0.5...1.5, using: &rng)
          let (m, sh) = try Requantization.multiplier(for: scale)
          layer.multipliers.append(m)
          layer.shifts.append(sh)
        }
      }
      layers.append(layer)
      shape = layer.output
      zeroPoint = layer.outputZeroPoint
    }
    return QuantizedModel(
      name: name, metadata: [("kind", "synthetic"), ("seed", String(seed))], layers: layers)
  }

  /// A model whose outputs are `logits` whatever the image, for tests that
  /// need answers they can compute by hand: flatten, then a dense layer with
  /// zero weights whose biases are twice the logits, requantized by 0.5
  /// (multiplier 2^30, shift 0) to output zero point 0. Output scale 1/16
  /// gives softmax_beta 1512775, docs/FORMAT.md's worked example's: a logit
  /// 32 below the best weighs 145315229 against the best's 2^30. 11 logits
  /// make a model with "not a digit" (its last class).
  public static func constant(_ logits: [Int8]) -> QuantizedModel {
    let flatten = QuantizedLayer(
      kind: .flatten, input: Shape(28, 28, 1), outputChannels: 784, inputZeroPoint: -128,
      outputZeroPoint: -128, outputScale: 1 / 255)
    let dense = QuantizedLayer(
      kind: .dense, input: Shape(1, 1, 784), outputChannels: logits.count, inputZeroPoint: -128, outputZeroPoint: 0,
      outputScale: 1 / 16, weights: [Int8](repeating: 0, count: 784 * logits.count),
      bias: logits.map { 2 * Int32($0) }, multipliers: [Int32](repeating: 1 << 30, count: logits.count),
      shifts: [UInt8](repeating: 0, count: logits.count))
    return QuantizedModel(name: "constant", layers: [flatten, dense])
  }
}
