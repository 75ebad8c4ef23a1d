import DigitInfer
import DigitInferData

extension Model {
  /// The runtime's digit for every image (28x28) of a set, on all cores:
  /// the real int8 runtime, not a float simulation of it. Each core classifies
  /// its share of the images with one batch call.
  ///
  /// - Parameter set: The images to classify.
  /// - Returns: One class per image, in order: the digit, or 10
  ///   (``Model/notADigitClass``) where the model says "not a digit", so
  ///   that a rejection never matches a digit label.
  public func predict(_ set: DigitSet) -> [Int] {
    var out = [Int](repeating: -1, count: set.count)
    out.withUnsafeMutableBufferPointer { results in
      let results = results
      Parallel.forEach(set.count) { range, _ in
        let pixels = Array(set.pixels[(range.lowerBound * Model.inputSize)..<(range.upperBound * Model.inputSize)])
        guard let answers = try? classify(batch: pixels) else { return }
        for (k, answer) in answers.enumerated() { results[range.lowerBound + k] = answer.predictedClass }
      }
    }
    return out
  }
}
