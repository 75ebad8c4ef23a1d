import Foundation

/// The exporter's promise: no int8 model more than `limit` accuracy points
/// below its float original is written unless the user insists.
public enum AccuracyGate {
  public static let limit = 0.3

  public struct Refusal: Error, CustomStringConvertible {
    public let drop: Double
    public var description: String {
      String(format: "int8 accuracy is %.2f points below float (limit %.1f)", drop, AccuracyGate.limit)
    }
  }

  /// Accuracies are fractions; the drop is in percentage points.
  public static func check(float: Double, int8: Double, force: Bool) throws(Refusal) {
    let drop = 100 * (float - int8)
    if drop > limit && !force { throw Refusal(drop: drop) }
  }
}
