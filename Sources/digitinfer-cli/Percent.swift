import Foundation

/// Probabilities as the text output prints them.
enum Percent {
  /// One decimal; never rounds a non-zero probability to 0% or a non-certain one to 100%.
  static func text(_ p: Float) -> String {
    if p > 0 && p < 0.0005 { return "<0.1%" }
    if p < 1 && p > 0.9995 { return ">99.9%" }
    return String(format: "%.1f%%", 100 * p)
  }
}
