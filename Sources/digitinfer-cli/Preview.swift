import DigitInfer
import Foundation

/// Draws a 28x28 model input in the terminal, two characters per pixel so
/// that it looks square: Unicode shades, or plain ASCII where a terminal or
/// a log may not show them.
enum Preview {
  static let unicodeShades: [String] = [" ", "░", "▒", "▓", "█"]
  static let asciiShades: [String] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// ASCII unless standard output is a terminal (and `ascii` is not forced).
  static func useASCII(forced: Bool) -> Bool {
    forced || isatty(STDOUT_FILENO) == 0
  }

  static func render(_ pixels: [UInt8], ascii: Bool, indent: String = "  ") -> String {
    let side = Int(DGI_INPUT_WIDTH)
    precondition(pixels.count == side * Int(DGI_INPUT_HEIGHT))
    let shades = ascii ? asciiShades : unicodeShades
    let (top, bottom, edge) =
      ascii
      ? ("+" + String(repeating: "-", count: 2 * side) + "+", "+" + String(repeating: "-", count: 2 * side) + "+", "|")
      : ("┌" + String(repeating: "─", count: 2 * side) + "┐", "└" + String(repeating: "─", count: 2 * side) + "┘", "│")
    var lines = [indent + top]
    for y in 0..<Int(DGI_INPUT_HEIGHT) {
      var line = indent + edge
      for x in 0..<side {
        // Level 0 only for true zeros, so faint strokes stay visible.
        let value = Int(pixels[y * side + x])
        let level = value == 0 ? 0 : 1 + (value - 1) * (shades.count - 1) / 255
        line += shades[level] + shades[level]
      }
      lines.append(line + edge)
    }
    lines.append(indent + bottom)
    return lines.joined(separator: "\n")
  }
}
