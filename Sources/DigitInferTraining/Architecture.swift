import DigitInferFormat

/// A network described by a short spec string, e.g. "c16k5,bn,p2,c32k5,bn,p2,d64,d10":
///
///   cNkK    conv2d, N filters of KxK, stride 1, valid padding ("cNkKs": same padding)
///   p2      2x2 max pooling
///   dN      dense layer with N outputs (a flatten is inserted before the first)
///   bn      batch normalization of the preceding conv or dense layer
///           (training only: it is folded into the weights at export)
///   dropP   dropout with rate P (e.g. drop0.25), training only
///
/// Every conv and dense layer is followed by ReLU except the last layer,
/// whose outputs are the logits. The runtime runs exactly this structure:
/// ReLU fused into its layer, pools and flattens as they are.
public struct Architecture: Sendable, Equatable, CustomStringConvertible {
  public enum Step: Sendable, Equatable {
    case conv(filters: Int, kernel: Int, same: Bool)
    case pool
    case dense(outputs: Int)
    case batchNorm
    case dropout(Double)
  }

  public let spec: String
  public let steps: [Step]
  public var description: String { spec }

  public struct ParseError: Error, CustomStringConvertible, Sendable {
    public let description: String
  }

  public init(_ spec: String) throws(ParseError) {
    let tokens = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    guard !tokens.isEmpty, !tokens.contains(where: \.isEmpty) else {
      throw ParseError(description: "architecture '\(spec)' is empty or has an empty item")
    }
    var steps: [Step] = []
    for t in tokens {
      func number(_ s: Substring) -> Int? { Int(s).flatMap { $0 > 0 ? $0 : nil } }
      if t == "bn" {
        steps.append(.batchNorm)
      } else if t == "p2" {
        steps.append(.pool)
      } else if t.hasPrefix("drop"), let rate = Double(t.dropFirst(4)), rate >= 0, rate < 1 {
        steps.append(.dropout(rate))
      } else if t.hasPrefix("c"), let k = t.firstIndex(of: "k") {
        let same = t.hasSuffix("s")
        let filters = number(t[t.index(after: t.startIndex)..<k])
        let kernel = number(t[t.index(after: k)..<(same ? t.index(before: t.endIndex) : t.endIndex)])
        guard let filters, let kernel, filters <= 1024, kernel <= 15 else {
          throw ParseError(description: "bad conv item '\(t)' (expected cNkK or cNkKs, e.g. c16k5)")
        }
        if same && kernel % 2 == 0 { throw ParseError(description: "'\(t)': same padding needs an odd kernel") }
        steps.append(.conv(filters: filters, kernel: kernel, same: same))
      } else if t.hasPrefix("d"), let n = number(t.dropFirst()), n <= 65535 {
        steps.append(.dense(outputs: n))
      } else {
        throw ParseError(description: "unknown item '\(t)' in '\(spec)' (items: cNkK, cNkKs, p2, dN, bn, dropP)")
      }
    }
    self.spec = tokens.joined(separator: ",")
    self.steps = steps
    try validate()
  }

  private func validate() throws(ParseError) {
    var shape = Shape(28, 28, 1)
    var flat = false
    var normalizable = false  // the previous item is a conv or dense layer not yet normalized
    for s in steps {
      switch s {
      case .conv(let f, let k, let same):
        if flat { throw ParseError(description: "conv after a dense layer in '\(spec)'") }
        if !same && (shape.height < k || shape.width < k) {
          throw ParseError(description: "conv \(k)x\(k) does not fit a \(shape) input in '\(spec)'")
        }
        shape = same ? Shape(shape.height, shape.width, f) : Shape(shape.height - k + 1, shape.width - k + 1, f)
        normalizable = true
      case .pool:
        if flat || shape.height < 2 || shape.width < 2 {
          throw ParseError(description: "p2 cannot pool a \(shape) input in '\(spec)'")
        }
        shape = Shape(shape.height / 2, shape.width / 2, shape.channels)
        normalizable = false
      case .dense(let n):
        flat = true
        shape = Shape(1, 1, n)
        normalizable = true
      case .batchNorm:
        if !normalizable { throw ParseError(description: "bn must directly follow a conv or dense item in '\(spec)'") }
        normalizable = false
      case .dropout:
        normalizable = false
      }
    }
    let lastWeighted = steps.last { if case .conv = $0 { true } else if case .dense = $0 { true } else { false } }
    guard lastWeighted == .dense(outputs: shape.count), shape == Shape(1, 1, 10) || shape == Shape(1, 1, 11) else {
      throw ParseError(description: "'\(spec)' must end with d10 (ten digits) or d11 (ten digits and not a digit)")
    }
  }

  /// 10 (digits) or 11 (digits and "not a digit", class 10): the outputs of the last layer.
  public var classes: Int {
    if case .dense(let n) = steps.last(where: { if case .dense = $0 { true } else { false } }) { return n }
    return 10
  }

  /// The same network with `classes` (10 or 11) outputs: the last dense
  /// item of the spec becomes d10 or d11.
  public func withClasses(_ classes: Int) throws(ParseError) -> Architecture {
    var tokens = spec.split(separator: ",").map(String.init)
    guard let last = tokens.lastIndex(where: { $0.hasPrefix("d") && !$0.hasPrefix("drop") }) else { return self }
    tokens[last] = "d\(classes)"
    return try Architecture(tokens.joined(separator: ","))
  }


  /// Named architectures, for --arch and --help.
  public static let presets: [(name: String, spec: String, about: String)] = [
    ("default", "c20k5,bn,p2,c40k5,bn,p2,d64,bn,drop0.15,d10", "the shipped model: the reference network, wider, with batch norm and dropout (--not-a-digit: d11)"),
    ("reference", "c16k5,p2,c32k5,p2,d64,d10", "the benchmarks' reference architecture"),
    ("keras", "c32k3,c64k3,p2,drop0.25,d128,drop0.5,d10", "the Keras MNIST CNN example of the seed notebooks"),
    ("mlp", "d1000,d10", "a dense 784-1000-10 perceptron"),
  ]

  /// A preset by name, or a spec string.
  public static func named(_ nameOrSpec: String) throws(ParseError) -> Architecture {
    if let p = presets.first(where: { $0.name == nameOrSpec }) { return try Architecture(p.spec) }
    return try Architecture(nameOrSpec)
  }

  /// The layers as the runtime will run them (batch norm and dropout
  /// vanish at export), with shapes, parameters and MACs.
  public var plan: [PlannedLayer] {
    var out: [PlannedLayer] = []
    var shape = Shape(28, 28, 1)
    let lastWeighted = steps.lastIndex(where: { if case .conv = $0 { true } else if case .dense = $0 { true } else { false } })
    for (i, s) in steps.enumerated() {
      switch s {
      case .conv(let f, let k, let same):
        let o = same ? Shape(shape.height, shape.width, f) : Shape(shape.height - k + 1, shape.width - k + 1, f)
        out.append(PlannedLayer(kind: .conv2d, input: shape, output: o, kernel: k, same: same, relu: i != lastWeighted))
        shape = o
      case .pool:
        let o = Shape(shape.height / 2, shape.width / 2, shape.channels)
        out.append(PlannedLayer(kind: .maxpool2d, input: shape, output: o, kernel: 2, same: false, relu: false))
        shape = o
      case .dense(let n):
        if shape.height != 1 || shape.width != 1 {
          let flat = Shape(1, 1, shape.count)
          out.append(PlannedLayer(kind: .flatten, input: shape, output: flat, kernel: 1, same: false, relu: false))
          shape = flat
        }
        let o = Shape(1, 1, n)
        out.append(PlannedLayer(kind: .dense, input: shape, output: o, kernel: 1, same: false, relu: i != lastWeighted))
        shape = o
      case .batchNorm, .dropout:
        break
      }
    }
    return out
  }

  public var parameterCount: Int { plan.reduce(0) { $0 + $1.parameters } }
  public var macs: Int { plan.reduce(0) { $0 + $1.macs } }
}

/// One runtime layer of an architecture.
public struct PlannedLayer: Sendable, CustomStringConvertible {
  public let kind: QuantizedLayer.Kind
  public let input: Shape, output: Shape
  public let kernel: Int
  public let same: Bool
  public let relu: Bool

  public var fanIn: Int {
    switch kind {
    case .conv2d: kernel * kernel * input.channels
    case .dense: input.count
    default: 0
    }
  }
  public var parameters: Int { fanIn == 0 ? 0 : fanIn * output.channels + output.channels }
  public var macs: Int { fanIn * output.count }

  public var description: String {
    let what: String =
      switch kind {
      case .conv2d: "conv2d \(kernel)x\(kernel) \(input.channels)->\(output.channels) \(same ? "same" : "valid")\(relu ? ", ReLU" : "")"
      case .maxpool2d: "maxpool 2x2"
      case .dense: "dense \(input.count)->\(output.channels)\(relu ? ", ReLU" : "")"
      case .flatten: "flatten"
      }
    return "\(what)  \(input) -> \(output)  \(parameters.formatted()) params  \(macs.formatted()) MACs"
  }
}

import Foundation
