import Foundation
import Testing

@testable import DigitInferReport

@Suite struct EvaluationTests {
  // Digits 0-3 and a stray 9; digits 4-8 have no samples, 9 has no samples
  // but one prediction.
  let evaluation = Evaluation(
    labels: [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3],
    predictions: [0, 0, 1, 1, 1, 2, 2, 0, 2, 3, 9])

  @Test func confusionMatrix() {
    var expected = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    expected[0][0] = 2
    expected[0][1] = 1
    expected[1][1] = 2
    expected[2][2] = 3
    expected[2][0] = 1
    expected[3][3] = 1
    expected[3][9] = 1
    #expect(evaluation.confusion == expected)
    #expect(evaluation.total == 11)
    #expect(evaluation.correct == 8)
    #expect(evaluation.accuracy == 8.0 / 11.0)
  }

  @Test func recallAndPrecision() {
    let recall = evaluation.recall
    #expect(recall[0] == 2.0 / 3.0)
    #expect(recall[1] == 1)
    #expect(recall[2] == 0.75)
    #expect(recall[3] == 0.5)
    #expect(evaluation.perClassAccuracy == recall)
    let precision = evaluation.precision
    #expect(precision[0] == 2.0 / 3.0)  // one 2 taken for a 0
    #expect(precision[1] == 2.0 / 3.0)  // one 0 taken for a 1
    #expect(precision[2] == 1)
    #expect(precision[3] == 1)
  }

  /// Classes without samples (recall) or without predictions (precision)
  /// are defined as 0, never NaN.
  @Test func emptyClassesAreZero() {
    for digit in 4...9 { #expect(evaluation.recall[digit] == 0) }
    for digit in 4...8 { #expect(evaluation.precision[digit] == 0) }
    #expect(evaluation.precision[9] == 0)  // predicted once, wrongly
    #expect(evaluation.support == [3, 2, 4, 2, 0, 0, 0, 0, 0, 0])
    #expect(evaluation.predicted == [3, 3, 3, 1, 0, 0, 0, 0, 0, 1])
    let empty = Evaluation(labels: [], predictions: [])
    #expect(empty.total == 0)
    #expect(empty.accuracy == 0)
    #expect(!empty.recall.contains { $0.isNaN })
  }

  /// A model with "not a digit" predicts 10 when it refuses an image: the
  /// matrix grows to 11x11 and the refusal counts as an error.
  @Test func notADigitAddsAClass() {
    let refused = Evaluation(labels: [4, 4, 7], predictions: [4, 10, 7])
    #expect(refused.classes == 11 && refused.total == 3 && refused.correct == 2)
    #expect(refused.confusion[4][10] == 1 && refused.recall[4] == 0.5)
    #expect(Evaluation(labels: [4], predictions: [4]).classes == 10)
    #expect(Evaluation(labels: [10], predictions: [10]).accuracy == 1)  // a negative set
  }

  @Test func codableKeepsOnlyTheMatrixAuthoritative() throws {
    let data = try JSONEncoder().encode(evaluation)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"accuracy\""))
    #expect(try JSONDecoder().decode(Evaluation.self, from: data) == evaluation)
    let ragged = Data(#"{"confusion": [[1, 2], [3]]}"#.utf8)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Evaluation.self, from: ragged) }
  }
}
