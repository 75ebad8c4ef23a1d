import Foundation

/// Digit shapes as pen strokes in a unit box (x right, y down), drawn the
/// way most people write them and the way MNIST's writers did: an open-top
/// 4, a 3 of two bowls, a 9 with a straight-ish stem.
enum Digits {
  /// The digits the samples draw.
  enum Glyph: Int {
    case zero = 0, one = 1, two = 2, three = 3, four = 4, five = 5, six = 6, seven = 7, eight = 8, nine = 9
  }

  static func strokes(_ glyph: Glyph) -> [[Point]] {
    switch glyph {
    case .zero:
      return [Path.arc(center: Point(0.5, 0.5), radiusX: 0.38, radiusY: 0.5, from: -100, to: 268)]
    case .one:
      // One straight stroke, as most adults write it (and MNIST's 1s are).
      return [Path.polyline(Point(0.54, 0.0), Point(0.46, 1.0))]
    case .six:
      return [
        Path.join(
          Path.cubic(Point(0.74, 0.02), Point(0.40, 0.10), Point(0.14, 0.42), Point(0.18, 0.72)),
          Path.arc(center: Point(0.5, 0.72), radiusX: 0.32, radiusY: 0.26, from: 180, to: 530)),
      ]
    case .seven:
      return [Path.polyline(Point(0.06, 0.04), Point(0.92, 0.04), Point(0.40, 1.0))]
    case .two:
      return [
        Path.join(
          Path.cubic(Point(0.14, 0.26), Point(0.22, -0.04), Point(0.92, -0.06), Point(0.80, 0.33)),
          Path.cubic(Point(0.80, 0.33), Point(0.70, 0.62), Point(0.34, 0.78), Point(0.08, 0.97)),
          Path.polyline(Point(0.08, 0.97), Point(0.94, 0.94))),
      ]
    case .three:
      return [
        Path.join(
          Path.cubic(Point(0.14, 0.15), Point(0.36, -0.06), Point(0.98, 0.02), Point(0.44, 0.46)),
          Path.cubic(Point(0.44, 0.46), Point(1.06, 0.44), Point(0.98, 1.08), Point(0.10, 0.87))),
      ]
    case .four:
      return [
        Path.polyline(Point(0.26, 0.0), Point(0.12, 0.60), Point(0.90, 0.57)),
        Path.polyline(Point(0.70, 0.04), Point(0.66, 1.0)),
      ]
    case .five:
      return [
        Path.polyline(Point(0.88, 0.04), Point(0.26, 0.06)),
        Path.join(
          Path.polyline(Point(0.26, 0.06), Point(0.20, 0.46)),
          Path.cubic(Point(0.20, 0.46), Point(0.72, 0.26), Point(1.10, 0.78), Point(0.56, 0.95)),
          Path.cubic(Point(0.56, 0.95), Point(0.38, 1.01), Point(0.18, 0.96), Point(0.08, 0.86))),
      ]
    case .eight:
      return [
        Path.arc(center: Point(0.5, 0.25), radiusX: 0.28, radiusY: 0.24, from: 90, to: 450),
        Path.arc(center: Point(0.5, 0.72), radiusX: 0.36, radiusY: 0.27, from: -90, to: 270),
      ]
    case .nine:
      return [
        Path.arc(center: Point(0.48, 0.28), radiusX: 0.32, radiusY: 0.26, from: 0, to: 360),
        Path.cubic(Point(0.80, 0.28), Point(0.82, 0.58), Point(0.76, 0.84), Point(0.66, 1.0)),
      ]
    }
  }

  /// The strokes of `glyph` placed on the page, each point nudged by a
  /// slow random wobble so that lines are not ruler-straight.
  static func handwritten(_ glyph: Glyph, placement: Placement, wobble: Double, random: inout Random) -> [[Point]] {
    strokes(glyph).map { stroke in
      let phase = (random.uniform(0, 2 * .pi), random.uniform(0, 2 * .pi))
      let frequency = random.uniform(1.5, 2.5)
      return stroke.enumerated().map { i, p in
        let t = Double(i) / Double(max(1, stroke.count - 1))
        let offset = Point(
          wobble * sin(2 * .pi * frequency * t + phase.0), wobble * sin(2 * .pi * frequency * t + phase.1))
        return placement.apply(p + offset)
      }
    }
  }

  /// Writes `glyph` on `canvas` with `pen`, as `handwritten` places it.
  static func write(
    _ glyph: Glyph, on canvas: inout Canvas, placement: Placement, pen: Pen, wobble: Double, random: inout Random
  ) {
    for stroke in handwritten(glyph, placement: placement, wobble: wobble, random: &random) {
      canvas.stroke(stroke, pen: pen)
    }
  }
}
