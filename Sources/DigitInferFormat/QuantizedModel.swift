import Foundation

/// Height x width x channels, the layout of every tensor in a .dgi model.
public struct Shape: Equatable, Sendable, CustomStringConvertible {
  public var height: Int, width: Int, channels: Int
  public init(_ height: Int, _ width: Int, _ channels: Int) {
    self.height = height
    self.width = width
    self.channels = channels
  }
  public var count: Int { height * width * channels }
  public var description: String { "\(height)x\(width)x\(channels)" }
}

/// One layer of an int8 network, as the .dgi format stores it.
public struct QuantizedLayer: Sendable {
  public enum Kind: UInt8, Sendable { case conv2d = 1, maxpool2d = 2, dense = 3, flatten = 4 }

  public var kind: Kind
  public var input: Shape
  public var outputChannels: Int
  public var kernelHeight = 1, kernelWidth = 1
  public var samePadding = false
  public var relu = false
  public var inputZeroPoint: Int8
  public var outputZeroPoint: Int8
  /// real = outputScale * (q - outputZeroPoint); stored for tools.
  public var outputScale: Float
  /// conv2d: [out][kernel row][kernel col][in]; dense: [out][in]. -127...127.
  public var weights: [Int8] = []
  public var bias: [Int32] = []
  /// Per output channel: multiplier in [0, 2^31) meaning m / 2^31, and a
  /// right shift in 0...31 (see `Requantization`).
  public var multipliers: [Int32] = []
  public var shifts: [UInt8] = []

  public init(
    kind: Kind, input: Shape, outputChannels: Int, kernelHeight: Int = 1, kernelWidth: Int = 1,
    samePadding: Bool = false, relu: Bool = false, inputZeroPoint: Int8, outputZeroPoint: Int8,
    outputScale: Float, weights: [Int8] = [], bias: [Int32] = [], multipliers: [Int32] = [],
    shifts: [UInt8] = []
  ) {
    self.kind = kind
    self.input = input
    self.outputChannels = outputChannels
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.samePadding = samePadding
    self.relu = relu
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.outputScale = outputScale
    self.weights = weights
    self.bias = bias
    self.multipliers = multipliers
    self.shifts = shifts
  }

  public var output: Shape {
    switch kind {
    case .conv2d:
      samePadding
        ? Shape(input.height, input.width, outputChannels)
        : Shape(input.height - kernelHeight + 1, input.width - kernelWidth + 1, outputChannels)
    case .maxpool2d: Shape(input.height / 2, input.width / 2, input.channels)
    case .dense: Shape(1, 1, outputChannels)
    case .flatten: Shape(1, 1, input.count)
    }
  }

  public var hasParameters: Bool { kind == .conv2d || kind == .dense }
  public var fanIn: Int { hasParameters ? kernelHeight * kernelWidth * input.channels : 0 }
  public var parameterCount: Int { hasParameters ? weights.count + bias.count : 0 }
  public var macs: Int { hasParameters ? output.count * fanIn : 0 }
}

/// A whole int8 network plus the facts the file records about it.
public struct QuantizedModel: Sendable {
  public static let inputShape = Shape(28, 28, 1)
  /// Pixel p in 0...255 is the real value p / 255, stored as p - 128.
  public static let inputZeroPoint: Int8 = -128

  public var name: String
  /// Free-form facts (accuracy, date, architecture), written as
  /// "key=value" lines.
  public var metadata: [(key: String, value: String)]
  public var layers: [QuantizedLayer]

  public init(name: String, metadata: [(key: String, value: String)] = [], layers: [QuantizedLayer]) {
    self.name = name
    self.metadata = metadata
    self.layers = layers
  }

  public var classCount: Int { layers.last?.output.count ?? 0 }
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
  public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
}
