import DigitInferFormat
import DigitInferSupport
import Foundation

/// A batch of activations: `count` samples of `shape` floats each, NHWC.
struct Batch {
  var count: Int
  var shape: Shape
  var data: [Float]

  init(count: Int, shape: Shape, data: [Float]) {
    self.count = count
    self.shape = shape
    self.data = data
  }
  init(count: Int, shape: Shape) { self.init(count: count, shape: shape, data: [Float](repeating: 0, count: count * shape.count)) }
}

/// A trainable tensor and its gradient. `decays` marks weights (not biases
/// or batch-norm parameters) for weight decay.
final class Parameter {
  var value: [Float]
  var gradient: [Float]
  let decays: Bool
  init(_ value: [Float], decays: Bool) {
    self.value = value
    gradient = [Float](repeating: 0, count: value.count)
    self.decays = decays
  }
}

protocol Layer: AnyObject {
  var outputShape: Shape { get }
  var parameters: [Parameter] { get }
  /// `training` selects batch statistics and dropout.
  func forward(_ x: Batch, training: Bool) -> Batch
  /// Gradient with respect to the input; adds parameter gradients. `needInput`
  /// is false for the first layer, whose input gradient nobody uses.
  func backward(_ dy: Batch, needInput: Bool) -> Batch
}

/// Runs body(chunk range, chunk index) over `count` samples split into at
/// most `Parallel.threads` contiguous chunks. The split depends only on the
/// count and the thread setting, so results are reproducible.
enum Parallel {
  nonisolated(unsafe) static var threads = ProcessInfo.processInfo.activeProcessorCount

  static func chunks(_ count: Int) -> [Range<Int>] {
    let n = max(1, min(threads, count))
    return (0..<n).map { i in (count * i / n)..<(count * (i + 1) / n) }
  }

  static func forEach(_ count: Int, _ body: (Range<Int>, Int) -> Void) {
    let parts = chunks(count)
    if parts.count == 1 {
      body(parts[0], 0)
      return
    }
    DispatchQueue.concurrentPerform(iterations: parts.count) { body(parts[$0], $0) }
  }
}

/// conv2d, stride 1, valid or same padding; weights [out][ky][kx][in] as the
/// runtime stores them. Forward: im2col then one GEMM per sample.
final class Conv2D: Layer {
  let input: Shape, outputShape: Shape
  let kernel: Int, pad: Int
  let weights: Parameter, bias: Parameter
  var parameters: [Parameter] { [weights, bias] }
  private var columns: [Float] = []  // the batch's im2col rows, kept for backward
  private var k: Int { kernel * kernel * input.channels }
  private var positions: Int { outputShape.height * outputShape.width }

  init(input: Shape, filters: Int, kernel: Int, same: Bool, rng: inout SplitMix64) {
    self.input = input
    self.kernel = kernel
    pad = same ? (kernel - 1) / 2 : 0
    outputShape =
      same ? Shape(input.height, input.width, filters) : Shape(input.height - kernel + 1, input.width - kernel + 1, filters)
    let fanIn = kernel * kernel * input.channels
    weights = Parameter(heNormal(count: filters * fanIn, fanIn: fanIn, rng: &rng), decays: true)
    bias = Parameter([Float](repeating: 0, count: filters), decays: false)
  }

  func forward(_ x: Batch, training: Bool) -> Batch {
    let k = self.k, p = positions, cout = outputShape.channels
    var y = Batch(count: x.count, shape: outputShape)
    if columns.count != x.count * p * k { columns = [Float](repeating: 0, count: x.count * p * k) }
    var wt = [Float](repeating: 0, count: k * cout)
    GEMM.transpose(weights.value, &wt, rows: cout, cols: k)
    x.data.withUnsafeBufferPointer { xs in
      columns.withUnsafeMutableBufferPointer { cols in
        y.data.withUnsafeMutableBufferPointer { ys in
          let (xb, cb, yb) = (xs.baseAddress!, cols.baseAddress!, ys.baseAddress!)
          Parallel.forEach(x.count) { range, _ in
            for s in range {
              let col = cb + s * p * k
              im2col(xb + s * input.count, col)
              let out = yb + s * p * cout
              GEMM.multiply(col, wt, out, m: p, n: cout, k: k, accumulate: false)
              for q in 0..<p { for c in 0..<cout { out[q * cout + c] += bias.value[c] } }
            }
          }
        }
      }
    }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    let k = self.k, p = positions, cout = outputShape.channels
    let chunks = Parallel.chunks(dy.count)
    var partial = [[Float]](repeating: [Float](repeating: 0, count: k * cout), count: chunks.count)
    var dx = Batch(count: needInput ? dy.count : 0, shape: input)
    dy.data.withUnsafeBufferPointer { dys in
      columns.withUnsafeBufferPointer { cols in
        dx.data.withUnsafeMutableBufferPointer { dxs in
          partial.withUnsafeMutableBufferPointer { parts in
            let parts = parts.baseAddress!
            let (db, cb) = (dys.baseAddress!, cols.baseAddress!)
            let dxb = dxs.baseAddress
            Parallel.forEach(dy.count) { range, chunk in
              var dcol = [Float](repeating: 0, count: needInput ? p * k : 0)
              var colT = [Float](repeating: 0, count: p * k)
              parts[chunk].withUnsafeMutableBufferPointer { dwt in
                for s in range {
                  let g = db + s * p * cout
                  // dW^T[k x cout] += col^T[k x p] * dY[p x cout]
                  GEMM.transpose(cb + s * p * k, &colT, rows: p, cols: k)
                  GEMM.multiply(colT, g, dwt.baseAddress!, m: k, n: cout, k: p, accumulate: true)
                  if needInput, let dxb {
                    GEMM.multiply(g, weights.value, &dcol, m: p, n: k, k: cout, accumulate: false)
                    col2im(dcol, dxb + s * input.count)
                  }
                }
              }
            }
          }
        }
      }
    }
    // Sum the per-thread partial gradients in a fixed order, then transpose.
    var dwt = partial[0]
    for part in partial.dropFirst() { for i in 0..<dwt.count { dwt[i] += part[i] } }
    var dw = [Float](repeating: 0, count: k * cout)
    GEMM.transpose(dwt, &dw, rows: k, cols: cout)
    for i in 0..<dw.count { weights.gradient[i] += dw[i] }
    dy.data.withUnsafeBufferPointer { d in
      for q in 0..<(dy.count * p) { for c in 0..<cout { bias.gradient[c] += d[q * cout + c] } }
    }
    return dx
  }

  /// Rows of kernel*kernel*in values, one per output position; padding is 0.
  private func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
    let (h, w, c) = (input.height, input.width, input.channels)
    let run = kernel * c  // one kernel row is contiguous in the input when it lies inside it
    var dst = col
    for oy in 0..<outputShape.height {
      for ox in 0..<outputShape.width {
        let x0 = ox - pad
        for ky in 0..<kernel {
          let iy = oy + ky - pad
          if iy >= 0 && iy < h && x0 >= 0 && x0 + kernel <= w {
            dst.update(from: x + (iy * w + x0) * c, count: run)
          } else {
            for kx in 0..<kernel {
              let ix = x0 + kx
              if iy < 0 || iy >= h || ix < 0 || ix >= w {
                (dst + kx * c).update(repeating: 0, count: c)
              } else {
                (dst + kx * c).update(from: x + (iy * w + ix) * c, count: c)
              }
            }
          }
          dst += run
        }
      }
    }
  }

  /// The adjoint of im2col: adds each row back onto the input positions.
  private func col2im(_ col: [Float], _ dx: UnsafeMutablePointer<Float>) {
    let (h, w, c) = (input.height, input.width, input.channels)
    dx.update(repeating: 0, count: input.count)
    var i = 0
    for oy in 0..<outputShape.height {
      for ox in 0..<outputShape.width {
        for ky in 0..<kernel {
          let iy = oy + ky - pad
          for kx in 0..<kernel {
            let ix = ox + kx - pad
            if iy >= 0 && iy < h && ix >= 0 && ix < w {
              let d = dx + (iy * w + ix) * c
              for ch in 0..<c { d[ch] += col[i + ch] }
            }
            i += c
          }
        }
      }
    }
  }
}

/// Fully connected: weights [out][in], as the runtime stores them.
final class Dense: Layer {
  let inputs: Int, outputShape: Shape
  let weights: Parameter, bias: Parameter
  var parameters: [Parameter] { [weights, bias] }
  private var lastInput = Batch(count: 0, shape: Shape(1, 1, 1))

  init(inputs: Int, outputs: Int, rng: inout SplitMix64) {
    self.inputs = inputs
    outputShape = Shape(1, 1, outputs)
    weights = Parameter(heNormal(count: inputs * outputs, fanIn: inputs, rng: &rng), decays: true)
    bias = Parameter([Float](repeating: 0, count: outputs), decays: false)
  }

  func forward(_ x: Batch, training: Bool) -> Batch {
    let m = outputShape.channels
    lastInput = x
    var wt = [Float](repeating: 0, count: inputs * m)
    GEMM.transpose(weights.value, &wt, rows: m, cols: inputs)
    var y = Batch(count: x.count, shape: outputShape)
    x.data.withUnsafeBufferPointer { xs in
      y.data.withUnsafeMutableBufferPointer { ys in
        let (xb, yb) = (xs.baseAddress!, ys.baseAddress!)
        Parallel.forEach(x.count) { range, _ in
          GEMM.multiply(xb + range.lowerBound * inputs, wt, yb + range.lowerBound * m, m: range.count, n: m, k: inputs, accumulate: false)
          for s in range { for o in 0..<m { yb[s * m + o] += bias.value[o] } }
        }
      }
    }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    let m = outputShape.channels
    var dwt = [Float](repeating: 0, count: inputs * m)
    GEMM.accumulateTransposedA(lastInput.data, dy.data, &dwt, m: dy.count, n: m, k: inputs)
    var dw = [Float](repeating: 0, count: inputs * m)
    GEMM.transpose(dwt, &dw, rows: inputs, cols: m)
    for i in 0..<dw.count { weights.gradient[i] += dw[i] }
    for s in 0..<dy.count { for o in 0..<m { bias.gradient[o] += dy.data[s * m + o] } }
    var dx = Batch(count: needInput ? dy.count : 0, shape: lastInput.shape)
    if needInput {
      dy.data.withUnsafeBufferPointer { dys in
        dx.data.withUnsafeMutableBufferPointer { dxs in
          let (db, xb) = (dys.baseAddress!, dxs.baseAddress!)
          Parallel.forEach(dy.count) { range, _ in
            GEMM.multiply(db + range.lowerBound * m, weights.value, xb + range.lowerBound * inputs, m: range.count, n: inputs, k: m, accumulate: false)
          }
        }
      }
    }
    return dx
  }
}

/// 2x2 max pooling, stride 2 (odd last rows and columns are dropped).
final class MaxPool: Layer {
  let input: Shape, outputShape: Shape
  var parameters: [Parameter] { [] }
  private var argmax: [Int32] = []

  init(input: Shape) {
    self.input = input
    outputShape = Shape(input.height / 2, input.width / 2, input.channels)
  }

  func forward(_ x: Batch, training: Bool) -> Batch {
    var y = Batch(count: x.count, shape: outputShape)
    argmax = [Int32](repeating: 0, count: y.data.count)
    let (w, c) = (input.width, input.channels)
    x.data.withUnsafeBufferPointer { xs in
      y.data.withUnsafeMutableBufferPointer { ys in
        argmax.withUnsafeMutableBufferPointer { am in
          let (xb, yb, ab) = (xs.baseAddress!, ys.baseAddress!, am.baseAddress!)
          Parallel.forEach(x.count) { range, _ in
            for s in range {
              let xi = s * input.count, yo = s * outputShape.count
              for oy in 0..<outputShape.height {
                for ox in 0..<outputShape.width {
                  let base = xi + ((2 * oy) * w + 2 * ox) * c
                  for ch in 0..<c {
                    // The four candidates; ties keep the first, as the runtime does.
                    var best = base + ch
                    let right = best + c, below = best + w * c, diagonal = below + c
                    if xb[right] > xb[best] { best = right }
                    if xb[below] > xb[best] { best = below }
                    if xb[diagonal] > xb[best] { best = diagonal }
                    let o = yo + (oy * outputShape.width + ox) * c + ch
                    yb[o] = xb[best]
                    ab[o] = Int32(best)
                  }
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    var dx = Batch(count: dy.count, shape: input)
    for i in 0..<dy.data.count { dx.data[Int(argmax[i])] += dy.data[i] }
    return dx
  }
}

/// Batch normalization over all positions of each channel. Folded into the
/// preceding layer's weights at export.
final class BatchNorm: Layer {
  let outputShape: Shape
  let gamma: Parameter, beta: Parameter
  var runningMean: [Float], runningVariance: [Float]
  let momentum: Float = 0.1, epsilon: Float = 1e-5
  var parameters: [Parameter] { [gamma, beta] }
  private var normalized: [Float] = []
  private var inverseStd: [Float] = []

  init(shape: Shape) {
    outputShape = shape
    let c = shape.channels
    gamma = Parameter([Float](repeating: 1, count: c), decays: false)
    beta = Parameter([Float](repeating: 0, count: c), decays: false)
    runningMean = [Float](repeating: 0, count: c)
    runningVariance = [Float](repeating: 1, count: c)
  }

  func forward(_ x: Batch, training: Bool) -> Batch {
    let c = outputShape.channels, n = x.data.count / c
    var mean = runningMean, variance = runningVariance
    if training {
      // Per-thread partial sums, added in chunk order: reproducible.
      let rows = x.data.count / c
      let parts = Parallel.chunks(rows)
      var partial = [[Double]](repeating: [Double](repeating: 0, count: 2 * c), count: parts.count)
      x.data.withUnsafeBufferPointer { xs in
        partial.withUnsafeMutableBufferPointer { ps in
          let (xb, pb) = (xs.baseAddress!, ps.baseAddress!)
          DispatchQueue.concurrentPerform(iterations: parts.count) { t in
            var acc = [Double](repeating: 0, count: 2 * c)
            for i in parts[t] { for ch in 0..<c { let v = Double(xb[i * c + ch]); acc[ch] += v; acc[c + ch] += v * v } }
            pb[t] = acc
          }
        }
      }
      var sum = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
      for part in partial { for ch in 0..<c { sum[ch] += part[ch]; squares[ch] += part[c + ch] } }
      for ch in 0..<c {
        let m = sum[ch] / Double(n)
        mean[ch] = Float(m)
        variance[ch] = Float(max(0, squares[ch] / Double(n) - m * m))
        runningMean[ch] += momentum * (mean[ch] - runningMean[ch])
        runningVariance[ch] += momentum * (variance[ch] * Float(n) / Float(max(1, n - 1)) - runningVariance[ch])
      }
    }
    inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    var y = x
    if training && normalized.count != x.data.count { normalized = [Float](repeating: 0, count: x.data.count) }
    let (g, b, m, inv) = (gamma.value, beta.value, mean, inverseStd)
    y.data.withUnsafeMutableBufferPointer { ys in
      normalized.withUnsafeMutableBufferPointer { ns in
        let (yb, nb) = (ys.baseAddress!, ns.baseAddress)
        Parallel.forEach(n) { range, _ in
          for i in range {
            for ch in 0..<c {
              let xhat = (yb[i * c + ch] - m[ch]) * inv[ch]
              if training { nb![i * c + ch] = xhat }
              yb[i * c + ch] = g[ch] * xhat + b[ch]
            }
          }
        }
      }
    }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    let c = outputShape.channels, n = dy.data.count / c
    var sumDy = [Float](repeating: 0, count: c), sumDyX = [Float](repeating: 0, count: c)
    dy.data.withUnsafeBufferPointer { d in
      normalized.withUnsafeBufferPointer { xh in
        for i in 0..<n {
          for ch in 0..<c {
            sumDy[ch] += d[i * c + ch]
            sumDyX[ch] += d[i * c + ch] * xh[i * c + ch]
          }
        }
      }
    }
    for ch in 0..<c {
      gamma.gradient[ch] += sumDyX[ch]
      beta.gradient[ch] += sumDy[ch]
    }
    var dx = dy
    let count = Float(n)
    let scale = (0..<c).map { gamma.value[$0] * inverseStd[$0] / count }
    dx.data.withUnsafeMutableBufferPointer { d in
      normalized.withUnsafeBufferPointer { xh in
        let (db, xb) = (d.baseAddress!, xh.baseAddress!)
        Parallel.forEach(n) { range, _ in
          for i in range {
            for ch in 0..<c {
              db[i * c + ch] = scale[ch] * (count * db[i * c + ch] - sumDy[ch] - xb[i * c + ch] * sumDyX[ch])
            }
          }
        }
      }
    }
    return dx
  }
}

final class ReLU: Layer {
  let outputShape: Shape
  var parameters: [Parameter] { [] }
  private var output: [Float] = []
  init(shape: Shape) { outputShape = shape }

  func forward(_ x: Batch, training: Bool) -> Batch {
    var y = x
    y.data.withUnsafeMutableBufferPointer { ys in
      let yb = ys.baseAddress!, per = x.shape.count
      Parallel.forEach(x.count) { range, _ in
        for i in (range.lowerBound * per)..<(range.upperBound * per) { yb[i] = max(yb[i], 0) }
      }
    }
    if training { output = y.data }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    var dx = dy
    output.withUnsafeBufferPointer { out in
      dx.data.withUnsafeMutableBufferPointer { d in
        for i in 0..<d.count where out[i] <= 0 { d[i] = 0 }
      }
    }
    return dx
  }
}

/// Inverted dropout: kept activations are scaled by 1/(1-rate) in training,
/// so inference (and the exported model) needs nothing.
final class Dropout: Layer {
  let outputShape: Shape
  let rate: Float
  var parameters: [Parameter] { [] }
  var rng = SplitMix64(seed: 0)
  private var mask: [Float] = []
  init(shape: Shape, rate: Double) {
    outputShape = shape
    self.rate = Float(rate)
  }

  func forward(_ x: Batch, training: Bool) -> Batch {
    guard training, rate > 0 else { return x }
    let keep = 1 - rate
    mask = (0..<x.data.count).map { _ in Float.random(in: 0..<1, using: &rng) < keep ? 1 / keep : 0 }
    var y = x
    for i in 0..<y.data.count { y.data[i] *= mask[i] }
    return y
  }

  func backward(_ dy: Batch, needInput: Bool) -> Batch {
    guard rate > 0 else { return dy }
    var dx = dy
    for i in 0..<dx.data.count { dx.data[i] *= mask[i] }
    return dx
  }
}

/// He (Kaiming) normal initialisation: N(0, 2 / fanIn), by Box-Muller from
/// the seeded generator so that a seed fixes the initial network.
func heNormal(count: Int, fanIn: Int, rng: inout SplitMix64) -> [Float] {
  let std = (2 / Double(fanIn)).squareRoot()
  return (0..<count).map { _ in
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
    return Float(std * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }
}
