import Foundation

/// Letters and signs as pen strokes in a unit box (x right, y down), for
/// the "not a digit" class. None of them may read as a digit: O/o (0),
/// I/l/i/| (1), Z/z (2), S/s (5), b/G (6), B (8), g/q (9), T and J (7),
/// Y and h (4), and "?" (a 2 or a 7 once preprocessed) are left out altogether, because teaching them as "not a
/// digit" teaches the model to reject real digits written that way. The
/// loops that come near a digit (A's triangle, e's eye, a's bowl) are kept
/// but drawn rarely (`rare`).
enum NegativeGlyphs {
  typealias Stroke = [SIMD2<Double>]

  /// The training hand's glyphs; `heldOutOnly` are never trained on, so
  /// the test set measures letters the model has not seen.
  static let training: [String] = ["A", "C", "E", "F", "H", "M", "N", "R", "W", "X", "e", "m", "n", "u", "x", "w", "+", "*", "=", "!", "arrow", "check", "star"]
  static let heldOutOnly: [String] = ["K", "V", "r", "#", "&"]
  /// Glyphs drawn at a quarter of the others' rate: loops close to 0, 6, 9.
  static let rare: Set<String> = ["A", "e", "&"]

  static func line(_ points: (Double, Double)...) -> Stroke {
    var out: Stroke = [SIMD2(points[0].0, points[0].1)]
    for (a, b) in zip(points, points.dropFirst()) {
      for i in 1...8 {
        let t = Double(i) / 8
        out.append(SIMD2(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
      }
    }
    return out
  }

  /// An elliptical arc, degrees, clockwise on screen when `to` > `from`.
  static func arc(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ from: Double, _ to: Double) -> Stroke {
    (0...24).map { i in
      let a = (from + (to - from) * Double(i) / 24) * .pi / 180
      return SIMD2(cx + rx * cos(a), cy + ry * sin(a))
    }
  }

  static func strokes(_ glyph: String) -> [Stroke] {
    switch glyph {
    case "A": return [line((0.1, 1), (0.5, 0), (0.9, 1)), line((0.27, 0.6), (0.73, 0.6))]
    case "C": return [arc(0.55, 0.5, 0.45, 0.5, -45, -315)]
    case "E": return [line((0.85, 0), (0.15, 0), (0.15, 1), (0.85, 1)), line((0.15, 0.5), (0.7, 0.5))]
    case "F": return [line((0.85, 0), (0.15, 0), (0.15, 1)), line((0.15, 0.48), (0.7, 0.48))]
    case "H": return [line((0.15, 0), (0.15, 1)), line((0.85, 0), (0.85, 1)), line((0.15, 0.5), (0.85, 0.5))]
    case "M": return [line((0.05, 1), (0.15, 0), (0.5, 0.7), (0.85, 0), (0.95, 1))]
    case "N": return [line((0.15, 1), (0.15, 0), (0.85, 1), (0.85, 0))]
    case "R": return [line((0.15, 1), (0.15, 0), (0.6, 0)) + arc(0.6, 0.25, 0.3, 0.25, -90, 90) + line((0.6, 0.5), (0.15, 0.5)), line((0.45, 0.5), (0.9, 1))]
    case "W": return [line((0.0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1.0, 0))]
    case "X", "x": return [line((0.1, 0), (0.9, 1)), line((0.9, 0), (0.1, 1))]
    case "e": return [line((0.1, 0.5), (0.9, 0.5)) + arc(0.5, 0.5, 0.4, 0.45, 0, -300)]
    case "m": return [line((0.05, 1), (0.05, 0.3)) + arc(0.275, 0.45, 0.225, 0.25, 180, 360) + line((0.5, 0.45), (0.5, 1)), arc(0.725, 0.45, 0.225, 0.25, 180, 360) + line((0.95, 0.45), (0.95, 1))]
    case "n": return [line((0.15, 1), (0.15, 0.2)) + arc(0.5, 0.5, 0.35, 0.35, 180, 360) + line((0.85, 0.5), (0.85, 1))]
    case "u": return [line((0.15, 0), (0.15, 0.6)) + arc(0.5, 0.6, 0.35, 0.4, 180, 0) + line((0.85, 0.6), (0.85, 0), (0.85, 1))]
    case "w": return [line((0.0, 0.1), (0.25, 1), (0.5, 0.4), (0.75, 1), (1.0, 0.1))]
    case "+": return [line((0.5, 0.05), (0.5, 0.95)), line((0.05, 0.5), (0.95, 0.5))]
    case "*": return [line((0.5, 0), (0.5, 1)), line((0.07, 0.25), (0.93, 0.75)), line((0.93, 0.25), (0.07, 0.75))]
    case "?": return [arc(0.5, 0.27, 0.35, 0.25, 190, 450) + line((0.5, 0.52), (0.5, 0.72)), line((0.5, 0.93), (0.5, 0.97))]
    case "=": return [line((0.05, 0.3), (0.95, 0.3)), line((0.05, 0.7), (0.95, 0.7))]
    case "!": return [line((0.4, 0.0), (0.5, 0.7)), line((0.52, 0.93), (0.52, 0.97)), line((0.75, 0.05), (0.8, 0.65))]
    case "arrow": return [line((0.0, 0.5), (1.0, 0.5)), line((0.65, 0.15), (1.0, 0.5), (0.65, 0.85))]
    case "check": return [line((0.0, 0.55), (0.35, 1.0), (1.0, 0.0))]
    case "star": return [line((0.5, 0), (0.79, 0.9), (0.02, 0.35), (0.98, 0.35), (0.21, 0.9), (0.5, 0))]
    case "K": return [line((0.15, 0), (0.15, 1)), line((0.85, 0), (0.15, 0.55), (0.85, 1))]
    case "V": return [line((0.05, 0), (0.5, 1), (0.95, 0))]
    case "r": return [line((0.2, 1), (0.2, 0.2)), arc(0.55, 0.45, 0.35, 0.3, 180, 300)]
    case "#": return [line((0.35, 0), (0.25, 1)), line((0.75, 0), (0.65, 1)), line((0.05, 0.33), (0.95, 0.33)), line((0.0, 0.67), (0.9, 0.67))]
    case "&": return [line((0.95, 1), (0.2, 0.3)) + arc(0.4, 0.2, 0.2, 0.2, 150, 390) + line((0.55, 0.35), (0.15, 0.7)) + arc(0.4, 0.75, 0.25, 0.25, 180, 60) + line((0.55, 0.93), (0.95, 0.45))]
    default: preconditionFailure("no strokes for glyph \(glyph)")
    }
  }
}
