/// Parameter updates. Adam with decoupled weight decay (AdamW) or SGD with
/// momentum; weight decay applies to weights only, not to biases or
/// batch-norm parameters.
public enum OptimizerKind: String, Sendable, CaseIterable, Codable {
  case adam, sgd
}

final class Optimizer {
  let kind: OptimizerKind
  let weightDecay: Float
  let momentum: Float = 0.9
  let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
  var step = 0
  var first: [[Float]] = []
  var second: [[Float]] = []

  init(_ kind: OptimizerKind, weightDecay: Double) {
    self.kind = kind
    self.weightDecay = Float(weightDecay)
  }

  func update(_ parameters: [Parameter], learningRate: Double) {
    if first.isEmpty {
      first = parameters.map { [Float](repeating: 0, count: $0.value.count) }
      second = kind == .adam ? first : []
    }
    step += 1
    let lr = Float(learningRate)
    let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
    let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
    for (n, p) in parameters.enumerated() {
      let decay = p.decays ? weightDecay : 0
      p.value.withUnsafeMutableBufferPointer { v in
        p.gradient.withUnsafeBufferPointer { g in
          first[n].withUnsafeMutableBufferPointer { m in
            switch kind {
            case .adam:
              second[n].withUnsafeMutableBufferPointer { s in
                for i in 0..<v.count {
                  m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                  s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
                  v[i] -= lr * ((m[i] / c1) / ((s[i] / c2).squareRoot() + epsilon) + decay * v[i])
                }
              }
            case .sgd:
              for i in 0..<v.count {
                m[i] = momentum * m[i] + g[i] + decay * v[i]
                v[i] -= lr * m[i]
              }
            }
          }
        }
      }
    }
  }
}

/// Linear warm-up over the first epoch, then cosine decay to 2% of the
/// peak at the last step.
struct LearningRateSchedule {
  let peak: Double
  let warmupSteps: Int
  let totalSteps: Int

  func rate(at step: Int) -> Double {
    if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
    let t = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
    return peak * (0.02 + 0.98 * 0.5 * (1 + Foundation.cos(Double.pi * min(1, t))))
  }
}

import Foundation
