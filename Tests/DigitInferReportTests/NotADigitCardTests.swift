import Foundation
import Testing

@testable import DigitInferReport

/// The card's "not a digit" figures: in JSON, in the Markdown, and absent
/// from cards written before they existed.
@Suite struct NotADigitCardTests {
  static let figures = NotADigitFigures(
    method: "class 10", negatives: 7_000, acceptedInt8: 140, acceptedFloat: 133,
    acceptedByKind: ["letter": [30, 1_500], "scribble": [110, 1_000]], rejectedTestDigits: 12,
    testAccuracy: 0.9951, negativeSet: "7,000 generated images")

  @Test func figuresRoundTripAndRender() throws {
    var card = sampleCard()
    card.notADigit = Self.figures
    let back = try ModelCard(json: card.json())
    #expect(back == card)
    // 140 / 7,000 = 2.00 %; 133 / 7,000 = 1.90 %; letters 30 / 1,500 = 2.00 %, scribbles 11.00 %.
    #expect(Self.figures.acceptanceRate == 0.02)
    let md = card.markdown()
    #expect(md.contains("## Not a digit"))
    #expect(md.contains("| Negatives accepted as digits, int8 | 2.00% (140 / 7,000) |"))
    #expect(md.contains("| Negatives accepted as digits, float | 1.90% (133 / 7,000) |"))
    #expect(md.contains("| MNIST test accuracy, rejections counted as errors | 99.51% |"))
    #expect(md.contains("| scribble | 11.00% | 1,000 |"))
  }

  @Test func cardsWithoutTheFiguresStillDecode() throws {
    let card = sampleCard()
    let json = card.json()
    #expect(!json.contains("notADigit"))
    #expect(try ModelCard(json: json).notADigit == nil)
    #expect(!card.markdown().contains("## Not a digit"))
  }

  /// An 11-class confusion matrix: the column of rejections is headed "not
  /// a digit"; the per-digit table keeps ten rows (tests have no negatives).
  @Test func elevenClassTablesNameTheRejectionColumn() {
    var card = sampleCard()
    var matrix = confusion(correct: Array(repeating: 990, count: 10)).map { $0 + [0] }
    matrix[3][10] = 5
    matrix[3][4] -= 5
    matrix.append(Array(repeating: 0, count: 11))
    card.int8Test = Evaluation(confusion: matrix)
    card.floatTest = Evaluation(confusion: matrix)
    let md = card.markdown()
    #expect(md.contains("| 8 | 9 | not a digit |"))
    #expect(!md.contains("| 10 | 0 | – |"))  // no per-digit row for class 10
    #expect(card.int8Test.accuracy == 0.99)
  }
}
