import DigitInfer
import DigitInferData
import DigitInferReport

/// Measuring how a model treats images that are not digits: an 11-class
/// model by its class 10, a 10-class one by a max-probability threshold
/// calibrated on held-out training digits.
public enum Rejection {
  /// The negative test set: its own seed and the held-out hand, partial
  /// digits and pairs cut from MNIST test digits (never trained on). Fixed,
  /// so that every model is measured on the same images.
  public static let testSeed: UInt64 = 0x7E57_0013
  public static let testCount = 7_000
  public static let testDescription =
    "7,000 images from `Negatives` (seed 0x70570013, held-out hand and letters; partial digits and pairs from MNIST test digits)"

  public static func testSet(testDigits: DigitSet) -> DigitSet {
    Negatives.generate(count: testCount, seed: testSeed, style: .heldOut, digits: testDigits, name: "negative-test")
  }

  /// The kind of image `i` of the negative test set (made with digits, so
  /// partial digits and pairs are among its kinds).
  public static func testKind(of i: Int) -> Negatives.Kind {
    Negatives.kind(of: i, withDigits: true)
  }

  /// The training negatives of an epoch: drawn from the training digits,
  /// new images each epoch, `fraction` of the digits' count.
  public static func trainingNegatives(digits: DigitSet, fraction: Double, seed: UInt64, epoch: Int) -> DigitSet {
    Negatives.generate(
      count: Int((fraction * Double(digits.count)).rounded()), seed: seed &+ 0x4E45_4700 &+ UInt64(epoch) &* 0x1_0000_0001,
      style: .training, digits: digits, name: "negatives-\(epoch)")
  }

  /// Negatives for validation and int8 calibration: the training hand,
  /// drawn from the held-out digits with a seed of their own.
  public static func validationNegatives(digits: DigitSet, fraction: Double, seed: UInt64) -> DigitSet {
    Negatives.generate(
      count: Int((fraction * Double(digits.count)).rounded()), seed: seed ^ 0x5641_4C00_0000_0000, style: .training,
      digits: digits, name: "negatives-validation")
  }

  /// The runtime's answers: digit 0...9, or 10 when the model says "not a
  /// digit" or, with a threshold, when the winning probability is below it.
  public static func answers(_ model: Model, _ set: DigitSet, threshold: Float? = nil) throws -> [Int] {
    var out = [Int](repeating: -1, count: set.count)
    out.withUnsafeMutableBufferPointer { results in
      let results = results
      Parallel.forEach(set.count) { range, _ in
        let pixels = Array(set.pixels[(range.lowerBound * 784)..<(range.upperBound * 784)])
        guard let answers = try? model.classify(batch: pixels) else { return }
        for (k, answer) in answers.enumerated() {
          let low = threshold.map { answer.confidence < $0 } ?? false
          results[range.lowerBound + k] = low ? Model.notADigitClass : answer.predictedClass
        }
      }
    }
    guard !out.contains(-1) else { throw DigitInferError.image }
    return out
  }

  /// The largest threshold that rejects at most `fraction` of `digits`
  /// (confidence below it): the `floor(fraction * count)`-th smallest
  /// winning probability of the 10-class model.
  public static func threshold(_ model: Model, digits: DigitSet, fraction: Double = 0.0005) throws -> Float {
    var confidences: [Float] = []
    for start in stride(from: 0, to: digits.count, by: 1000) {
      let end = min(digits.count, start + 1000)
      confidences += try model.classify(batch: Array(digits.pixels[(start * 784)..<(end * 784)])).map(\.confidence)
    }
    confidences.sort()
    return confidences[min(confidences.count - 1, Int(fraction * Double(confidences.count)))]
  }

  /// The card's figures from the answers (0...10) on the MNIST test set and the negative test set.
  public static func figures(
    method: String, test: DigitSet, testAnswers: [Int], negatives: DigitSet, negativeAnswers: [Int],
    floatNegativeAnswers: [Int]?
  ) -> NotADigitFigures {
    var byKind: [String: [Int]] = [:]
    for (i, answer) in negativeAnswers.enumerated() {
      let kind = testKind(of: i).rawValue
      byKind[kind, default: [0, 0]][1] += 1
      if answer != 10 { byKind[kind]![0] += 1 }
    }
    let test11 = Evaluation(labels: test.labels, predictions: testAnswers, classes: 11)
    return NotADigitFigures(
      method: method, negatives: negatives.count, acceptedInt8: negativeAnswers.filter { $0 != 10 }.count,
      acceptedFloat: floatNegativeAnswers.map { $0.filter { $0 != 10 }.count }, acceptedByKind: byKind,
      rejectedTestDigits: testAnswers.filter { $0 == 10 }.count, testAccuracy: test11.accuracy,
      negativeSet: testDescription)
  }
}
