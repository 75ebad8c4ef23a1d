import DigitInferSupport
import Foundation

typealias Color = SIMD3<Double>

/// How a stroke is laid down.
struct Pen {
  /// Full width in pixels.
  var width: Double
  var color: Color
  var opacity = 1.0
  /// How much thinner the stroke gets at its two ends (0: not at all,
  /// 0.5: half as wide), as a pen lifting off the paper.
  var taper = 0.0
  /// A paint program's brush: every pixel is in or out, no anti-aliasing.
  var hardEdge = false
  /// Coverage multiplier per pixel (chalk grain), 1 when nil.
  var grain: ((Double, Double) -> Double)? = nil
}

/// An RGB picture in floating point (0...255 per channel), optionally with
/// alpha, drawn on with anti-aliased strokes.
struct Canvas {
  let width: Int
  let height: Int
  var pixels: [Color]
  /// 0...1 per pixel, for pictures on a transparent background.
  var alpha: [Double]?

  init(width: Int, height: Int, background: Color, transparent: Bool = false) {
    self.width = width
    self.height = height
    pixels = Array(repeating: background, count: width * height)
    alpha = transparent ? Array(repeating: 0, count: width * height) : nil
  }

  /// Sets every pixel from its coordinates (pixel centres).
  mutating func paint(_ color: (Double, Double) -> Color) {
    for y in 0..<height {
      for x in 0..<width { pixels[y * width + x] = color(Double(x) + 0.5, Double(y) + 0.5) }
    }
  }

  /// A filled disc, anti-aliased: dirt, specks.
  mutating func dot(at center: Point, radius: Double, color: Color, opacity: Double = 1) {
    stroke([center, center], pen: Pen(width: 2 * radius, color: color, opacity: opacity))
  }

  /// Draws a polyline with round joins and caps (`PenStroke`: coverage by
  /// distance to the nearest segment, against the pen's radius there, so
  /// overlapping segments of one stroke do not darken).
  mutating func stroke(_ points: [Point], pen: Pen) {
    guard let first = points.first else { return }
    let reach = pen.width / 2 + 1
    var minX = first.x
    var maxX = first.x
    var minY = first.y
    var maxY = first.y
    for p in points {
      minX = min(minX, p.x)
      maxX = max(maxX, p.x)
      minY = min(minY, p.y)
      maxY = max(maxY, p.y)
    }
    let x0 = max(0, Int(floor(minX - reach)))
    let x1 = min(width - 1, Int(ceil(maxX + reach)))
    let y0 = max(0, Int(floor(minY - reach)))
    let y1 = min(height - 1, Int(ceil(maxY + reach)))
    guard x0 <= x1, y0 <= y1 else { return }
    let boxWidth = x1 - x0 + 1
    var coverage = [Double](repeating: 0, count: boxWidth * (y1 - y0 + 1))

    // Radius along the stroke, by the fraction of its length travelled.
    var lengths = [0.0]
    for (a, b) in zip(points, points.dropFirst()) { lengths.append(lengths.last! + (b - a).dot(b - a).squareRoot()) }
    let total = max(lengths.last!, 1e-9)
    func radius(_ travelled: Double) -> Double {
      let f = travelled / total
      let end = min(f, 1 - f) / 0.15
      return pen.width / 2 * (1 - pen.taper * max(0, 1 - end))
    }

    PenStroke.cover(
      points.map { SIMD2($0.x, $0.y) }, radius: { radius(lengths[$0]) }, columns: x0...x1, rows: y0...y1
    ) { x, y, c in
      let index = (y - y0) * boxWidth + (x - x0)
      if c > coverage[index] { coverage[index] = c }
    }

    for y in y0...y1 {
      for x in x0...x1 {
        var c = coverage[(y - y0) * boxWidth + (x - x0)]
        if pen.hardEdge { c = c >= 0.5 ? 1 : 0 }
        if c == 0 { continue }
        c *= pen.opacity * (pen.grain?(Double(x) + 0.5, Double(y) + 0.5) ?? 1)
        let index = y * width + x
        if let old = alpha?[index] {
          // Non-premultiplied "over" onto what is already there.
          let new = c + old * (1 - c)
          pixels[index] = new > 0 ? (pen.color * c + pixels[index] * (old * (1 - c))) / new : pen.color
          alpha![index] = new
        } else {
          pixels[index] = pixels[index] * (1 - c) + pen.color * c
        }
      }
    }
  }

  private static func byte(_ value: Double) -> UInt8 { UInt8(min(255, max(0, value.rounded()))) }

  func rgb() -> [UInt8] { pixels.flatMap { [Self.byte($0.x), Self.byte($0.y), Self.byte($0.z)] } }

  func rgba() -> [UInt8] {
    zip(pixels, alpha ?? []).flatMap { [Self.byte($0.x), Self.byte($0.y), Self.byte($0.z), Self.byte($1 * 255)] }
  }

  /// BT.601 luma, as DigitInferImage reads colour.
  func gray() -> [UInt8] { pixels.map { Self.byte(0.299 * $0.x + 0.587 * $0.y + 0.114 * $0.z) } }
}
