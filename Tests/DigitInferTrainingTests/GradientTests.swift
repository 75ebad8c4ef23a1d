import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferTraining

/// Finite-difference checks of every layer kind's backward pass. The loss
/// is L = sum(r * y) for a fixed random r, so dL/dy = r; the analytic
/// gradients from backward() must match central differences of L.
@Suite struct GradientTests {
  func randomBatch(_ count: Int, _ shape: Shape, _ rng: inout SplitMix64, awayFromZero: Bool = false) -> Batch {
    Batch(count: count, shape: shape, data: (0..<(count * shape.count)).map { _ in
      var v = Float.random(in: -1...1, using: &rng)
      if awayFromZero && abs(v) < 0.1 { v += v < 0 ? -0.1 : 0.1 }  // keep ReLU away from its kink
      return v
    })
  }

  func loss(_ layer: any Layer, _ x: Batch, _ r: [Float], training: Bool) -> Double {
    let y = layer.forward(x, training: training)
    return zip(y.data, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
  }

  /// Largest relative error between analytic and numeric gradients, over the
  /// input and (a sample of) every parameter.
  func check(_ layer: any Layer, _ x: Batch, training: Bool = true, seed: UInt64 = 1) -> Double {
    var rng = SplitMix64(seed: seed)
    let y = layer.forward(x, training: training)
    let r = (0..<y.data.count).map { _ in Float.random(in: -1...1, using: &rng) }
    for p in layer.parameters { for i in 0..<p.gradient.count { p.gradient[i] = 0 } }
    let dx = layer.backward(Batch(count: y.count, shape: y.shape, data: r), needInput: true)
    var worst = 0.0
    let h: Float = 1e-2
    func compare(_ analytic: Float, _ plus: Double, _ minus: Double) {
      let numeric = (plus - minus) / Double(2 * h)
      worst = max(worst, abs(numeric - Double(analytic)) / max(1, abs(numeric)))
    }
    var xp = x
    for i in stride(from: 0, to: x.data.count, by: max(1, x.data.count / 40)) {
      xp.data[i] = x.data[i] + h
      let plus = loss(layer, xp, r, training: training)
      xp.data[i] = x.data[i] - h
      let minus = loss(layer, xp, r, training: training)
      xp.data[i] = x.data[i]
      compare(dx.data[i], plus, minus)
    }
    for p in layer.parameters {
      for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 20)) {
        let v = p.value[i]
        p.value[i] = v + h
        let plus = loss(layer, x, r, training: training)
        p.value[i] = v - h
        let minus = loss(layer, x, r, training: training)
        p.value[i] = v
        compare(p.gradient[i], plus, minus)
      }
    }
    return worst
  }

  @Test(arguments: [false, true])
  func conv2d(same: Bool) {
    var rng = SplitMix64(seed: 2)
    let layer = Conv2D(input: Shape(7, 6, 3), filters: 5, kernel: 3, same: same, rng: &rng)
    #expect(check(layer, randomBatch(3, Shape(7, 6, 3), &rng)) < 2e-3)
  }

  @Test func dense() {
    var rng = SplitMix64(seed: 3)
    let layer = Dense(inputs: 13, outputs: 7, rng: &rng)
    #expect(check(layer, randomBatch(5, Shape(1, 1, 13), &rng)) < 2e-3)
  }

  @Test func maxPool() {
    var rng = SplitMix64(seed: 4)
    let layer = MaxPool(input: Shape(6, 5, 2))  // odd width: last column dropped
    #expect(check(layer, randomBatch(2, Shape(6, 5, 2), &rng)) < 2e-3)
  }

  @Test func batchNorm() {
    var rng = SplitMix64(seed: 5)
    let layer = BatchNorm(shape: Shape(3, 3, 4))
    layer.gamma.value = [0.5, 1.5, -1, 2]
    layer.beta.value = [0.1, -0.2, 0.3, 0]
    #expect(check(layer, randomBatch(6, Shape(3, 3, 4), &rng)) < 5e-3)
  }

  @Test func relu() {
    var rng = SplitMix64(seed: 6)
    #expect(check(ReLU(shape: Shape(2, 2, 3)), randomBatch(4, Shape(2, 2, 3), &rng, awayFromZero: true)) < 1e-3)
  }

  @Test func dropoutScalesKeptUnitsAndPassesGradientThroughTheSameMask() {
    var rng = SplitMix64(seed: 7)
    let layer = Dropout(shape: Shape(1, 1, 1000), rate: 0.25)
    let x = Batch(count: 1, shape: Shape(1, 1, 1000), data: [Float](repeating: 1, count: 1000))
    let y = layer.forward(x, training: true)
    #expect(y.data.allSatisfy { $0 == 0 || abs($0 - 4 / 3) < 1e-6 })
    let dropped = y.data.filter { $0 == 0 }.count
    #expect((150...350).contains(dropped))
    let dx = layer.backward(Batch(count: 1, shape: x.shape, data: [Float](repeating: 2, count: 1000)), needInput: true)
    #expect(zip(dx.data, y.data).allSatisfy { ($1 == 0) == ($0 == 0) })
    #expect(layer.forward(x, training: false).data == x.data)
    _ = rng
  }

  @Test func softmaxCrossEntropyGradient() {
    var rng = SplitMix64(seed: 8)
    let logits = randomBatch(3, Shape(1, 1, 10), &rng)
    let labels: [UInt8] = [3, 0, 9]
    let (_, _, g) = softmaxCrossEntropy(logits, labels[...])
    var x = logits
    let h: Float = 1e-3
    for i in [0, 3, 13, 29] {
      x.data[i] = logits.data[i] + h
      let plus = softmaxCrossEntropy(x, labels[...]).loss
      x.data[i] = logits.data[i] - h
      let minus = softmaxCrossEntropy(x, labels[...]).loss
      x.data[i] = logits.data[i]
      #expect(abs((plus - minus) / Double(2 * h) - Double(g.data[i])) < 1e-3)
    }
  }

  @Test func gemmMatchesNaiveProducts() {
    var rng = SplitMix64(seed: 9)
    for (m, n, k) in [(1, 1, 1), (5, 9, 3), (13, 16, 25), (4, 17, 8)] {
      let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
      let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
      var c = [Float](repeating: 0, count: m * n)
      GEMM.multiply(a, b, &c, m: m, n: n, k: k, accumulate: false)
      var t = [Float](repeating: 0, count: k * n)
      GEMM.accumulateTransposedA(a, c, &t, m: m, n: n, k: k)  // A^T (A B)
      for i in 0..<m {
        for j in 0..<n {
          let expected = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] }
          #expect(abs(c[i * n + j] - expected) < 1e-4)
        }
      }
      for p in 0..<k {
        for j in 0..<n {
          let expected = (0..<m).reduce(Float(0)) { $0 + a[$1 * k + p] * c[$1 * n + j] }
          #expect(abs(t[p * n + j] - expected) < 1e-3)
        }
      }
    }
  }
}
