/// The few JSON pieces the CLI writes, by hand so that key order and number
/// formatting are fixed: numbers are the shortest decimal that reads back as
/// the same Float (or Double), as Swift, Python's repr and JavaScript print
/// them; strings escape `"`, `\` and control characters.
enum JSON {
  static func string(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Non-finite values have no JSON form; they become null.
  static func number(_ value: Float) -> String { value.isFinite ? value.description : "null" }
  static func number(_ value: Double) -> String { value.isFinite ? value.description : "null" }

  static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

  /// `{"key": value, ...}` in the given order; values are already JSON.
  static func object(_ fields: [(String, String)]) -> String {
    "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
  }
}
