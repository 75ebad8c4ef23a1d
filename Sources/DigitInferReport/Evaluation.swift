import Foundation

/// Accuracy figures of a classifier on a labelled set.
///
/// Only the confusion matrix is stored; every figure is derived from it, so
/// they cannot disagree. A class with no samples has recall 0, and a class
/// never predicted has precision 0: a defined number keeps tables and JSON
/// free of NaN, and the Markdown card shows "–" for such classes instead.
public struct Evaluation: Codable, Sendable, Equatable {
  /// Rows are true labels, columns predicted labels (10x10 for digits,
  /// 11x11 with "not a digit").
  public var confusion: [[Int]]

  public init(confusion: [[Int]]) {
    precondition(Self.isSquare(confusion), "confusion matrix must be square")
    self.confusion = confusion
  }

  /// Counts `predictions[i]` against `labels[i]` in a `classes`x`classes`
  /// matrix. By default 10x10, or 11x11 when a label or a prediction is 10,
  /// "not a digit": the class a model with it predicts when it refuses an
  /// image (`Model.predict`), so that a refused digit counts as an error
  /// instead of falling outside the matrix.
  public init(labels: [UInt8], predictions: [Int], classes: Int? = nil) {
    let notADigit = 10
    let classes = classes ?? (labels.contains(UInt8(notADigit)) || predictions.contains(notADigit) ? 11 : 10)
    precondition(labels.count == predictions.count, "one prediction per label")
    var matrix = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    for (label, predicted) in zip(labels, predictions) {
      precondition(Int(label) < classes, "label \(label) out of range 0..<\(classes)")
      precondition((0..<classes).contains(predicted), "prediction \(predicted) out of range 0..<\(classes)")
      matrix[Int(label)][predicted] += 1
    }
    confusion = matrix
  }

  public var classes: Int { confusion.count }
  public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
  public var correct: Int { confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }
  /// 0 for an empty set.
  public var accuracy: Double { Self.ratio(correct, total) }

  /// Samples of each true class (row sums).
  public var support: [Int] { confusion.map { $0.reduce(0, +) } }
  /// How often each class was predicted (column sums).
  public var predicted: [Int] {
    confusion.indices.map { column in confusion.reduce(0) { $0 + $1[column] } }
  }

  /// Of the images of class c, the fraction classified as c.
  public var recall: [Double] {
    zip(confusion.indices, support).map { Self.ratio(confusion[$0][$0], $1) }
  }
  /// Of the images classified as c, the fraction that are c.
  public var precision: [Double] {
    zip(confusion.indices, predicted).map { Self.ratio(confusion[$0][$0], $1) }
  }
  /// Per-class accuracy in the usual sense of MNIST reports: recall.
  public var perClassAccuracy: [Double] { recall }

  private static func ratio(_ part: Int, _ whole: Int) -> Double {
    whole == 0 ? 0 : Double(part) / Double(whole)
  }

  private static func isSquare(_ matrix: [[Int]]) -> Bool {
    matrix.allSatisfy { $0.count == matrix.count }
  }

  // The derived figures are written to JSON for people and scripts reading
  // it, but decoding trusts only the matrix.
  private enum CodingKeys: String, CodingKey {
    case confusion, total, correct, accuracy, precision, recall
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let matrix = try container.decode([[Int]].self, forKey: .confusion)
    guard Self.isSquare(matrix), matrix.allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .confusion, in: container,
        debugDescription: "confusion matrix must be square with non-negative counts")
    }
    confusion = matrix
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(confusion, forKey: .confusion)
    try container.encode(total, forKey: .total)
    try container.encode(correct, forKey: .correct)
    try container.encode(accuracy, forKey: .accuracy)
    try container.encode(precision, forKey: .precision)
    try container.encode(recall, forKey: .recall)
  }
}
