import Foundation

/// Number formatting shared by the card, the plot and the progress bar, and
/// public so that the trainer's summary lines look the same. Independent of
/// the locale: cards must not change with the machine that wrote them.
public enum ReportFormat {
  /// 1234567 -> "1,234,567".
  public static func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    return (value < 0 ? "-" : "") + group(digits)
  }

  /// Fixed decimals with a grouped integer part: 9850.3 -> "9,850.3".
  /// Non-finite values read "NaN", "inf" and "-inf".
  public static func fixed(_ value: Double, _ decimals: Int) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    var text = String(format: "%.\(max(0, decimals))f", value)
    // Rounding a tiny negative to zero should not leave a sign.
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
      text.removeFirst()
    }
    let negative = text.hasPrefix("-")
    let unsigned = negative ? String(text.dropFirst()) : text
    let parts = unsigned.split(separator: ".", maxSplits: 1)
    let integer = group(String(parts[0]))
    let fraction = parts.count > 1 ? "." + parts[1] : ""
    return (negative ? "-" : "") + integer + fraction
  }

  /// A fraction as a percentage: 0.98712 -> "98.71%".
  public static func percent(_ fraction: Double, decimals: Int = 2) -> String {
    fraction.isFinite ? fixed(fraction * 100, decimals) + "%" : fixed(fraction, 0)
  }

  /// Losses are small; four decimals tell epochs apart.
  public static func loss(_ value: Double) -> String { fixed(value, 4) }

  /// A difference of two fractions in percentage points, always signed:
  /// "+0.12", "-0.03", "0.00".
  public static func points(_ difference: Double) -> String {
    let text = fixed(difference * 100, 2)
    return difference.isFinite && !text.hasPrefix("-") && text != "0.00" ? "+" + text : text
  }

  /// "0.84 s", "45.2 s", "2 min 13 s", "1 h 02 min".
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return fixed(seconds, 1) + " s" }
    if seconds < 10 { return fixed(seconds, 2) + " s" }
    if seconds < 60 { return fixed(seconds, 1) + " s" }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
    let minutes = whole / 60
    return "\(minutes / 60) h " + pad2(minutes % 60) + " min"
  }

  /// Compact, for the progress bar: "3s", "1m05s", "2h03m".
  public static func shortDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--" }
    let whole = Int(min(seconds, 360_000).rounded(.up))
    if whole < 60 { return "\(whole)s" }
    if whole < 3600 { return "\(whole / 60)m" + pad2(whole % 60) + "s" }
    return "\(whole / 3600)h" + pad2(whole / 60 % 60) + "m"
  }

  /// "13,456 bytes (13.1 KiB)".
  public static func bytes(_ count: Int) -> String {
    let plain = grouped(count) + (count == 1 ? " byte" : " bytes")
    if count < 1024 { return plain }
    if count < 1024 * 1024 { return plain + " (" + fixed(Double(count) / 1024, 1) + " KiB)" }
    return plain + " (" + fixed(Double(count) / (1024 * 1024), 1) + " MiB)"
  }

  /// Learning rates span decades: 0.001 -> "0.001", 0.00003 -> "3e-05".
  public static func rate(_ value: Double) -> String {
    value.isFinite ? String(format: "%g", value) : fixed(value, 0)
  }

  private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

  private static func group(_ digits: String) -> String {
    var result = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
      result.append(digit)
    }
    return result
  }
}
