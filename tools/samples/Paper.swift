import DigitInferImage
import Foundation

/// What is on the page before the digit, and what the camera does after:
/// ruling and grid lines, lighting, blur.
enum Paper {
  /// Parallel straight lines across the whole canvas, `spacing` apart from
  /// `first` on: a notebook's rules (or, vertical, its margin line and a
  /// grid's columns), tilted by `tilt` degrees as in a photo not taken
  /// square to the page.
  static func rules(
    _ canvas: inout Canvas, first: Double, spacing: Double, vertical: Bool = false, tilt: Double = 0, pen: Pen
  ) {
    let along = Double(vertical ? canvas.height : canvas.width)
    let across = Double(vertical ? canvas.width : canvas.height)
    let rise = tan(tilt * .pi / 180) * along
    var at = first - (abs(rise) / spacing).rounded(.up) * spacing
    while at < across + abs(rise) + spacing {
      let a = Point(0, at), b = Point(along, at + rise)
      canvas.stroke(vertical ? [Point(a.y, a.x), Point(b.y, b.x)] : [a, b], pen: pen)
      at += spacing
    }
  }

  /// A camera's light on a flat page: brighter towards `bright` (a corner
  /// or side, in 0...1 coordinates) by `gradient`, darker towards the
  /// corners by `vignette` (shares of the light).
  static func light(_ canvas: inout Canvas, bright: Point, gradient: Double, vignette: Double) {
    let drawn = canvas.pixels, columns = canvas.width
    let (w, h) = (Double(canvas.width), Double(canvas.height))
    canvas.paint { x, y in
      let fx = x / w, fy = y / h
      let toward = ((fx - bright.x) * (fx - bright.x) + (fy - bright.y) * (fy - bright.y)).squareRoot()
      let corner = ((fx - 0.5) * (fx - 0.5) + (fy - 0.5) * (fy - 0.5)) * 2
      let light = (1 - gradient * min(1, toward)) * (1 - vignette * corner)
      return drawn[Int(y) * columns + Int(x)] * light
    }
  }

  /// A glare spot: the light's reflection on a glossy surface, washing out
  /// towards white around `center` (pixels) over `radius`.
  static func glare(_ canvas: inout Canvas, center: Point, radius: Double, strength: Double) {
    let drawn = canvas.pixels, columns = canvas.width
    canvas.paint { x, y in
      let d = ((x - center.x) * (x - center.x) + (y - center.y) * (y - center.y)).squareRoot() / radius
      let wash = strength * max(0, 1 - d * d)
      let p = drawn[Int(y) * columns + Int(x)]
      return p + (Color(repeating: 255) - p) * wash
    }
  }

  /// A slightly out-of-focus lens: one [1 2 1] x [1 2 1] / 16 pass.
  static func blur(_ canvas: inout Canvas) {
    let drawn = canvas.pixels
    let (w, h) = (canvas.width, canvas.height)
    canvas.paint { fx, fy in
      let x = Int(fx), y = Int(fy)
      var sum = Color(repeating: 0)
      for dy in -1...1 {
        for dx in -1...1 {
          let p = drawn[min(h - 1, max(0, y + dy)) * w + min(w - 1, max(0, x + dx))]
          sum += p * Double((dx == 0 ? 2 : 1) * (dy == 0 ? 2 : 1))
        }
      }
      return sum / 16
    }
  }

  /// Sensor noise, `sigma` levels.
  static func noise(_ canvas: inout Canvas, sigma: Double, random: inout Random) {
    let drawn = canvas.pixels, columns = canvas.width
    canvas.paint { x, y in drawn[Int(y) * columns + Int(x)] + Color(repeating: random.gaussian(sigma)) }
  }

  /// What a phone camera adds to a page: `light`, a little `blur`, sensor
  /// `noise` of `sigma` levels.
  static func photograph(
    _ canvas: inout Canvas, bright: Point, gradient: Double, vignette: Double, sigma: Double, random: inout Random
  ) {
    light(&canvas, bright: bright, gradient: gradient, vignette: vignette)
    blur(&canvas)
    noise(&canvas, sigma: sigma, random: &random)
  }
}

extension Scenes.Sample {
  /// The canvas as an 8-bit gray PNG.
  static func grayPNG(_ name: String, _ canvas: Canvas) throws -> Scenes.Sample {
    Scenes.Sample(
      name: name, bytes: try PNGEncoder.encode(GrayImage(width: canvas.width, height: canvas.height, pixels: canvas.gray())))
  }

  /// The canvas as an 8-bit RGB PNG, or RGBA with its transparency.
  static func colorPNG(_ name: String, _ canvas: Canvas, alpha: Bool = false) throws -> Scenes.Sample {
    let samples = alpha ? canvas.rgba() : canvas.rgb()
    let bytes = try PNGEncoder.encode(
      width: canvas.width, height: canvas.height, colorType: alpha ? .rgba : .rgb, bitDepth: 8,
      samples: samples.map(UInt16.init))
    return Scenes.Sample(name: name, bytes: bytes)
  }

  /// The canvas as a JPEG, RGB or gray.
  static func jpeg(_ name: String, _ canvas: Canvas, gray: Bool = false, quality: Int = 80) throws -> Scenes.Sample {
    let bytes = try JPEGEncoder.encode(
      width: canvas.width, height: canvas.height, components: gray ? 1 : 3, samples: gray ? canvas.gray() : canvas.rgb(),
      quality: quality)
    return Scenes.Sample(name: name, bytes: bytes)
  }
}
