/// What a model does with images that are not digits, measured on a
/// generated negative test set (never trained on: another seed, another
/// hand, letters the training negatives do not have) and on the MNIST test
/// set, where every rejection counts as an error.
public struct NotADigitFigures: Codable, Sendable, Equatable {
  /// How the model rejects: "class 10" (an 11-class model) or a
  /// max-probability threshold.
  public var method: String
  /// Negative test images.
  public var negatives: Int
  /// Of those, how many the int8 model (through the runtime) took for a digit.
  public var acceptedInt8: Int
  /// The same for the float model, when there is one (nil for a shipped file measured alone).
  public var acceptedFloat: Int?
  /// Accepted negatives per kind of negative (scribble, letter, ...): accepted and total.
  public var acceptedByKind: [String: [Int]]
  /// MNIST test images the int8 model rejected as not a digit (each is also an error).
  public var rejectedTestDigits: Int
  /// MNIST test accuracy of the int8 model, rejections counted as errors.
  public var testAccuracy: Double
  /// How the negative test set was made, to reproduce it.
  public var negativeSet: String

  public init(
    method: String, negatives: Int, acceptedInt8: Int, acceptedFloat: Int?, acceptedByKind: [String: [Int]],
    rejectedTestDigits: Int, testAccuracy: Double, negativeSet: String
  ) {
    self.method = method
    self.negatives = negatives
    self.acceptedInt8 = acceptedInt8
    self.acceptedFloat = acceptedFloat
    self.acceptedByKind = acceptedByKind
    self.rejectedTestDigits = rejectedTestDigits
    self.testAccuracy = testAccuracy
    self.negativeSet = negativeSet
  }

  /// The share of negatives taken for digits (0 for an empty set).
  public var acceptanceRate: Double { negatives == 0 ? 0 : Double(acceptedInt8) / Double(negatives) }
}
