import CDigitInfer
import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInfer

/// A random network exercising the corners: rectangular kernels, same and
/// valid padding, channel counts that are not multiples of four or eight,
/// zero points anywhere in int8, ReLU on and off, dense tails of any width.
func randomModel(seed: UInt64) throws -> QuantizedModel {
  var rng = SplitMix64(seed: seed)
  var shape = QuantizedModel.inputShape
  var zeroPoint = QuantizedModel.inputZeroPoint
  var layers: [QuantizedLayer] = []
  func withParameters(_ l: inout QuantizedLayer) throws {
    let n = l.outputChannels, fanIn = l.fanIn
    l.weights = (0..<(n * fanIn)).map { _ in Int8.random(in: -127...127, using: &rng) }
    l.bias = (0..<n).map { _ in Int32.random(in: -3000...3000, using: &rng) * Int32(min(fanIn, 500)) }
    for _ in 0..<n {
      let scale = 45 / (Double(fanIn).squareRoot() * 75 * 73) * Double.random(in: 0.3...3, using: &rng)
      let (m, s) = try Requantization.multiplier(for: scale)
      l.multipliers.append(m)
      l.shifts.append(s)
    }
  }
  for _ in 0..<Int.random(in: 1...3, using: &rng) where shape.height >= 3 {
    let same = Bool.random(using: &rng)
    let kh = same ? [1, 3, 5].randomElement(using: &rng)! : Int.random(in: 1...min(5, shape.height), using: &rng)
    let kw = same ? [1, 3, 5].randomElement(using: &rng)! : Int.random(in: 1...min(5, shape.width), using: &rng)
    var conv = QuantizedLayer(
      kind: .conv2d, input: shape, outputChannels: Int.random(in: 1...19, using: &rng), kernelHeight: kh,
      kernelWidth: kw, samePadding: same, relu: Bool.random(using: &rng), inputZeroPoint: zeroPoint,
      outputZeroPoint: Int8.random(in: -128...127, using: &rng), outputScale: 0.1)
    try withParameters(&conv)
    layers.append(conv)
    shape = conv.output
    zeroPoint = conv.outputZeroPoint
    if Bool.random(using: &rng), shape.height >= 2, shape.width >= 2 {
      let pool = QuantizedLayer(
        kind: .maxpool2d, input: shape, outputChannels: shape.channels, inputZeroPoint: zeroPoint,
        outputZeroPoint: zeroPoint, outputScale: 0.1)
      layers.append(pool)
      shape = pool.output
    }
  }
  layers.append(
    QuantizedLayer(
      kind: .flatten, input: shape, outputChannels: shape.count, inputZeroPoint: zeroPoint,
      outputZeroPoint: zeroPoint, outputScale: 0.1))
  shape = Shape(1, 1, shape.count)
  for last in [false, true] {
    let outputs = last ? Int.random(in: 1...11, using: &rng) : Int.random(in: 1...40, using: &rng)  // 11: "not a digit"
    var dense = QuantizedLayer(
      kind: .dense, input: shape, outputChannels: outputs, relu: !last && Bool.random(using: &rng),
      inputZeroPoint: zeroPoint, outputZeroPoint: Int8.random(in: -128...127, using: &rng), outputScale: 0.2)
    try withParameters(&dense)
    layers.append(dense)
    shape = dense.output
    zeroPoint = dense.outputZeroPoint
  }
  return QuantizedModel(name: "random-\(seed)", layers: layers)
}

/// Runs every layer with both kernel families on the same input and
/// returns the index of the first layer whose outputs differ.
func firstMismatch(_ m: Model, _ image: [UInt8]) -> Int? {
  let model = m.view
  let s = model.state
  var current = image.map { Int8(bitPattern: $0 ^ 0x80) }
  for i in 0..<Int(s.layerCount) {
    let d = model.layer(i)
    let count = Int(d.outH) * Int(d.outW) * Int(d.outC)
    var ref = [Int8](repeating: 0, count: count), opt = [Int8](repeating: 1, count: count)
    var workspace = [UInt8](repeating: 0xEE, count: Int(s.scratchSize) - Int(s.workspace))
    workspace.withUnsafeMutableBytes { ws in
      switch LayerKind(rawValue: d.kind)! {
      case .conv2d:
        Reference.conv2d(d, s.base, current, &ref)
        Optimized.conv2d(d, s.base, current, &opt, ws.baseAddress!)
      case .dense:
        Reference.dense(d, s.base, current, &ref)
        Optimized.dense(d, s.base, current, &opt, ws.baseAddress!)
      case .maxpool2d:
        Reference.maxpool2d(d, current, &ref)
        Optimized.maxpool2d(d, current, &opt)
      case .flatten:
        ref = current
        opt = current
      }
    }
    if ref != opt { return i }
    // Conv followed by max-pool also runs fused: compare with the two
    // reference kernels in sequence.
    if d.kind == LayerKind.conv2d.rawValue, i + 1 < Int(s.layerCount),
      model.layer(i + 1).kind == LayerKind.maxpool2d.rawValue
    {
      let pool = model.layer(i + 1)
      var pooledRef = [Int8](repeating: 0, count: Int(pool.outH) * Int(pool.outW) * Int(pool.outC))
      var fused = [Int8](repeating: 1, count: pooledRef.count)
      Reference.maxpool2d(pool, ref, &pooledRef)
      workspace.withUnsafeMutableBytes { ws in
        Optimized.conv2d(d, s.base, current, &fused, ws.baseAddress!, pooled: true)
      }
      if fused != pooledRef { return i }
    }
    current = ref
  }
  return nil
}

@Suite struct KernelTests {
  @Test(arguments: 0..<40)
  func everyKernelSetIsBitExactWithReference(seed: Int) throws {
    let file = try randomModel(seed: UInt64(seed)).encoded()
    let m = try Model(file)
    for image in testImages(count: 3, seed: UInt64(seed)) {
      #expect(firstMismatch(m, image) == nil, "model seed \(seed)")
      let reference = m.logits(image, kernels: .reference)
      for set in supportedKernelSets.dropFirst() {
        #expect(reference == m.logits(image, kernels: set), "model seed \(seed), kernels \(set)")
      }
    }
  }

  @Test func poolingKernelsAgreeForSixteenChannelMultiples() throws {
    let spec: [SyntheticModel.Layer] = [
      .conv(32, kernel: 3, samePadding: true), .maxpool, .conv(16, kernel: 1), .maxpool, .flatten, .dense(10),
    ]
    let m = try Model(try SyntheticModel.make(spec, seed: 5).encoded())
    for image in testImages(count: 4, seed: 5) { #expect(firstMismatch(m, image) == nil) }
  }

  /// A one-pixel image through a 3x3 "same" convolution with weights 1..9
  /// (row-major) shows padding, orientation and requantization at once. The
  /// pixel (value 20, real offset from the zero point 20) at (0, 0) reaches
  /// output (y, x) through kernel tap (1 - y, 1 - x); times scale 0.5:
  ///   (0,0): 5 * 20 / 2 = 50    (0,1): 4 * 20 / 2 = 40
  ///   (1,0): 2 * 20 / 2 = 20    (1,1): 1 * 20 / 2 = 10
  /// plus the output zero point -128; every other output is -128.
  @Test func convolutionMatchesHandComputation() throws {
    var conv = QuantizedLayer(
      kind: .conv2d, input: Shape(28, 28, 1), outputChannels: 1, kernelHeight: 3, kernelWidth: 3,
      samePadding: true, inputZeroPoint: -128, outputZeroPoint: -128, outputScale: 0.1,
      weights: [1, 2, 3, 4, 5, 6, 7, 8, 9], bias: [0], multipliers: [1 << 30], shifts: [0])
    conv.relu = false
    let flatten = QuantizedLayer(
      kind: .flatten, input: Shape(28, 28, 1), outputChannels: 784, inputZeroPoint: -128,
      outputZeroPoint: -128, outputScale: 0.1)
    let dense = QuantizedLayer(
      kind: .dense, input: Shape(1, 1, 784), outputChannels: 1, inputZeroPoint: -128, outputZeroPoint: 0,
      outputScale: 0.1, weights: [Int8](repeating: 1, count: 784), bias: [0], multipliers: [1 << 20],
      shifts: [0])
    let m = try Model(try QuantizedModel(name: "hand", layers: [conv, flatten, dense]).encoded())
    var image = [UInt8](repeating: 0, count: 784)
    image[0] = 20
    var expected = [Int8](repeating: -128, count: 784)
    expected[0] = -78
    expected[1] = -88
    expected[28] = -108
    expected[29] = -118
    for kernels in supportedKernelSets {
      var scratch = [UInt8](repeating: 0, count: m.scratchSize)
      let d = m.view.layer(0)
      let offset: UInt8 = isOffsetBinary(kernels) ? 0x80 : 0
      let got = scratch.withUnsafeMutableBytes { s -> [Int8] in
        _ = infer(m.view, image, s.baseAddress!, kernels)
        return (0..<784).map { Int8(bitPattern: s[Int(d.output) + $0] ^ offset) }
      }
      #expect(got == expected, "\(kernels)")
    }
  }

  /// Dense by hand, with input pixels 10 and 20 (zero point -128 makes the
  /// real offsets 10 and 20) and scale 0.25 (multiplier 2^30, shift 1):
  ///   out 0: 10*1 + 20*2 + 5 = 55     -> 27.5 -> 28 -> 14, +3 = 17
  ///   out 1: 10*(-3) - 100 = -130     -> -65 -> -32.5 -> -33, +3 = -30
  @Test func denseMatchesHandComputation() throws {
    let flatten = QuantizedLayer(
      kind: .flatten, input: Shape(28, 28, 1), outputChannels: 784, inputZeroPoint: -128,
      outputZeroPoint: -128, outputScale: 1 / 255)
    var weights = [Int8](repeating: 0, count: 2 * 784)
    weights[0] = 1
    weights[1] = 2
    weights[784] = -3
    let dense = QuantizedLayer(
      kind: .dense, input: Shape(1, 1, 784), outputChannels: 2, inputZeroPoint: -128, outputZeroPoint: 3,
      outputScale: 0.1, weights: weights, bias: [5, -100], multipliers: [1 << 30, 1 << 30], shifts: [1, 1])
    let m = try Model(try QuantizedModel(name: "hand", layers: [flatten, dense]).encoded())
    var image = [UInt8](repeating: 0, count: 784)
    image[0] = 10
    image[1] = 20
    for set in supportedKernelSets { #expect(m.logits(image, kernels: set) == [17, -30], "\(set)") }
    #expect(Array(m.logits(image)[0..<2]) == [17, -30])
  }

  @Test func classifyIsSoftmaxOfLogits() throws {
    let m = try Model(try SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 9).encoded())
    let scale = Double(Float(bitPattern: m.view.layer(Int(m.view.state.layerCount) - 1).outScaleBits))
    for image in testImages(count: 12, seed: 4) {
      let logits = try m.infer(image)
      let r = try m.classify(image)
      let p = r.probabilities
      #expect(r.digit == logits.firstIndex(of: logits.max()!)!)
      #expect(r.confidence == p[r.digit!])
      #expect(abs(p.reduce(0, +) - 1) < 1e-5)
      // Against a double-precision softmax of the dequantized logits.
      let e = logits.map { Foundation.exp(scale * Double($0)) }
      let total = e.reduce(0, +)
      for i in 0..<10 { #expect(abs(Double(p[i]) - e[i] / total) < 2e-6) }
    }
  }
}
