import DigitInfer
import Foundation

/// How the CLI words one dgi_result, as text and as JSON fields: the one
/// place that knows "not a digit" (digit DGI_NOT_A_DIGIT, from a model with
/// that class), so that classify and eval say it the same way.
extension dgi_result {
  /// The model said the image is not a digit: `digit` is no digit, and
  /// `best_digit` the digit it looks most like.
  var isNotADigit: Bool { digit == DGI_NOT_A_DIGIT }

  /// "7 (99.1%)", or "not a digit (87.0%; best guess 4, 11.0%)".
  var answerText: String {
    if isNotADigit {
      return "not a digit (\(Percent.text(confidence)); best guess \(best_digit), \(Percent.text(bestConfidence)))"
    }
    return "\(digit) (\(Percent.text(confidence)))"
  }

  /// The probability of `best_digit`.
  var bestConfidence: Float { probabilityArray[Int(best_digit)] }

  /// The JSON fields of the answer. A digit keeps the keys of ABI 1:
  /// "digit", "confidence", "probabilities" (the ten digits'), plus
  /// "not_a_digit": false. A refusal has "digit": null, "not_a_digit": true,
  /// "confidence" (of "not a digit"), "best_digit" and "best_confidence".
  /// A model with the "not a digit" class adds "not_a_digit_probability".
  func jsonFields(modelHasNotADigit: Bool) -> [(String, String)] {
    var fields: [(String, String)] = [
      ("digit", isNotADigit ? "null" : String(digit)), ("not_a_digit", String(isNotADigit)),
      ("confidence", JSON.number(confidence)),
    ]
    if isNotADigit {
      fields += [("best_digit", String(best_digit)), ("best_confidence", JSON.number(bestConfidence))]
    }
    if modelHasNotADigit { fields.append(("not_a_digit_probability", JSON.number(not_a_digit))) }
    fields.append(("probabilities", JSON.array(probabilityArray.map(JSON.number))))
    return fields
  }
}

/// Probabilities as percentages for people.
enum Percent {
  /// One decimal; never rounds a non-zero probability to 0% or a non-certain one to 100%.
  static func text(_ p: Float) -> String {
    if p > 0 && p < 0.0005 { return "<0.1%" }
    if p < 1 && p > 0.9995 { return ">99.9%" }
    return String(format: "%.1f%%", 100 * p)
  }
}
