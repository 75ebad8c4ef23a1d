import DigitInfer
import DigitInferImage

/// `read --show`: the image in colour with each digit's box and the digit
/// read drawn over it, labels in seven-segment strokes (no font needed).
enum Overlay {
  typealias RGB = (UInt8, UInt8, UInt8)
  /// Boxes of digits that stood apart, and of digits split from a touching neighbour.
  static let apart: RGB = (0, 190, 60)
  static let split: RGB = (255, 140, 0)

  /// An RGB PNG the size of `image`.
  static func png(_ image: GrayImage, digits: [dgi_number_digit]) throws(ImageError) -> [UInt8] {
    var canvas = Canvas(image)
    // Lines a little thicker on large images, so that they stay visible when scaled down.
    let line = max(1, min(image.width, image.height) / 200)
    for digit in digits {
      let color = digit.isSplit ? split : apart
      let (x, y, w, h) = (Int(digit.x), Int(digit.y), Int(digit.width), Int(digit.height))
      canvas.frame(x: x - line, y: y - line, width: w + 2 * line, height: h + 2 * line, thickness: line, color: color)
      // The label: a tag of the box's colour above the box (below it, or
      // inside it, where there is no room), the digit in black on it.
      let textHeight = min(48, max(9, h * 2 / 5))
      let pad = max(1, textHeight / 6)
      let tagHeight = textHeight + 2 * pad
      let tagWidth = textHeight * 3 / 5 + 2 * pad
      let tagY =
        y - line - tagHeight >= 0 ? y - line - tagHeight
        : y + h + line + tagHeight <= image.height ? y + h + line : y
      canvas.fill(x: x - line, y: tagY, width: tagWidth, height: tagHeight, color: color)
      canvas.digit(Int(digit.result.digit), x: x - line + pad, y: tagY + pad, height: textHeight, color: (0, 0, 0))
    }
    return try PNGEncoder.encode(
      width: image.width, height: image.height, colorType: .rgb, bitDepth: 8, samples: canvas.samples.map(UInt16.init))
  }

  /// Which of the seven segments (a top, b top right, c bottom right,
  /// d bottom, e bottom left, f top left, g middle) each digit lights.
  static let segments: [String] = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"]

  struct Canvas {
    let width: Int
    let height: Int
    var samples: [UInt8]

    init(_ image: GrayImage) {
      width = image.width
      height = image.height
      samples = image.pixels.flatMap { [$0, $0, $0] }
    }

    /// A filled rectangle, clipped to the image.
    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
      let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
      guard x0 < x1, y0 < y1 else { return }
      for row in y0..<y1 {
        for column in x0..<x1 {
          let i = 3 * (row * width + column)
          (samples[i], samples[i + 1], samples[i + 2]) = color
        }
      }
    }

    /// A rectangle's outline, `thickness` pixels wide inside its edge.
    mutating func frame(x: Int, y: Int, width w: Int, height h: Int, thickness t: Int, color: RGB) {
      fill(x: x, y: y, width: w, height: t, color: color)
      fill(x: x, y: y + h - t, width: w, height: t, color: color)
      fill(x: x, y: y, width: t, height: h, color: color)
      fill(x: x + w - t, y: y, width: t, height: h, color: color)
    }

    /// `digit` (0...9; anything else draws nothing) in seven-segment
    /// strokes, `height` pixels tall and 3/5 as wide, top-left at x, y.
    mutating func digit(_ digit: Int, x: Int, y: Int, height h: Int, color: RGB) {
      guard (0...9).contains(digit) else { return }
      let w = h * 3 / 5, s = max(1, h / 8), middle = (h - s) / 2
      for segment in Overlay.segments[digit] {
        switch segment {
        case "a": fill(x: x, y: y, width: w, height: s, color: color)
        case "b": fill(x: x + w - s, y: y, width: s, height: middle + s, color: color)
        case "c": fill(x: x + w - s, y: y + middle, width: s, height: h - middle, color: color)
        case "d": fill(x: x, y: y + h - s, width: w, height: s, color: color)
        case "e": fill(x: x, y: y + middle, width: s, height: h - middle, color: color)
        case "f": fill(x: x, y: y, width: s, height: middle + s, color: color)
        default: fill(x: x, y: y + middle, width: w, height: s, color: color)
        }
      }
    }
  }
}
