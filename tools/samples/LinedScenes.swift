import DigitInferImage
import Foundation

/// Digits on ruled, squared and whiteboard surfaces, some photographed:
/// the lines are ink to a naive reader (a grid read as an 8, a rule
/// closing a 3 into an 8), so each of these exercises dgi_preprocess's
/// ruling step. The label is the digit in the file name.
enum LinedScenes {
  static func all() throws -> [Scenes.Sample] {
    [try darkRuled(), try darkSquared(), try ruledPhoto(), try squaredPhoto(), try whiteboard()]
  }

  /// A 3 on notebook paper with dark rules and a margin line, the rules
  /// running through its bowls (the "3 read as 8"). 360x300 gray PNG.
  static func darkRuled() throws -> Scenes.Sample {
    let (width, height) = (360, 300)
    var random = Random(seed: 103)
    var canvas = Canvas(width: width, height: height, background: Color(228, 226, 218))
    Paper.rules(&canvas, first: 14, spacing: 34, pen: Pen(width: 2.2, color: Color(70, 80, 120)))
    Paper.rules(&canvas, first: 52, spacing: 1000, vertical: true, pen: Pen(width: 2.2, color: Color(150, 60, 60)))
    let placement = Placement(origin: Point(130, 60), width: 120, height: 170, slant: 0.06, rotation: 1)
    let pen = Pen(width: 9, color: Color(30, 30, 45), opacity: 0.95, taper: 0.3)
    Digits.write(.three, on: &canvas, placement: placement, pen: pen, wobble: 0.012, random: &random)
    return try .grayPNG("dark-ruled-3.png", canvas)
  }

  /// A 6 on squared paper with dark grid lines, five squares tall (the
  /// issue's "read as 8 at 99.9%"). 300x300 gray PNG.
  static func darkSquared() throws -> Scenes.Sample {
    let (width, height) = (300, 300)
    var random = Random(seed: 106)
    var canvas = Canvas(width: width, height: height, background: Color(236, 236, 232))
    let grid = Pen(width: 1.6, color: Color(90, 110, 120))
    Paper.rules(&canvas, first: 9, spacing: 24, pen: grid)
    Paper.rules(&canvas, first: 5, spacing: 24, vertical: true, pen: grid)
    let placement = Placement(origin: Point(95, 60), width: 110, height: 160, slant: 0.05)
    let pen = Pen(width: 10, color: Color(25, 25, 60), taper: 0.25)
    Digits.write(.six, on: &canvas, placement: placement, pen: pen, wobble: 0.012, random: &random)
    return try .grayPNG("dark-squared-6.png", canvas)
  }

  /// A phone photo of a 7 on light-blue ruled paper: its bar drawn along a
  /// rule, lines tilted 2 degrees, light falling off, vignetting, a little
  /// blur, JPEG. 480x360 RGB JPEG.
  static func ruledPhoto() throws -> Scenes.Sample {
    let (width, height) = (480, 360)
    var random = Random(seed: 107)
    var canvas = Canvas(width: width, height: height, background: Color(240, 238, 230))
    Paper.rules(&canvas, first: 20, spacing: 30, tilt: 2, pen: Pen(width: 1.8, color: Color(140, 170, 210)))
    // The bar's top sits on a rule (y = 20 + 30k, plus the tilt's rise).
    let placement = Placement(origin: Point(190, 88 + 0.04 * 190), width: 110, height: 190, slant: 0.04, rotation: 2)
    let pen = Pen(width: 11, color: Color(30, 40, 90), opacity: 0.93, taper: 0.3)
    Digits.write(.seven, on: &canvas, placement: placement, pen: pen, wobble: 0.008, random: &random)
    Paper.photograph(&canvas, bright: Point(0.2, 0.1), gradient: 0.25, vignette: 0.3, sigma: 1.8, random: &random)
    return try .jpeg("ruled-photo-7.jpg", canvas)
  }

  /// A photo of a 1 drawn straight down a line of squared paper: the
  /// stroke and the grid column are parallel and overlap. The grid is
  /// tilted 1.5 degrees; shading, blur, JPEG. 400x400 gray JPEG.
  static func squaredPhoto() throws -> Scenes.Sample {
    let (width, height) = (400, 400)
    var random = Random(seed: 101)
    var canvas = Canvas(width: width, height: height, background: Color(repeating: 238))
    let grid = Pen(width: 1.5, color: Color(repeating: 175))
    Paper.rules(&canvas, first: 12, spacing: 20, tilt: 1.5, pen: grid)
    Paper.rules(&canvas, first: 8, spacing: 20, vertical: true, tilt: -1.5, pen: grid)
    // Column 10 runs from x = 208 at the top to 208 + tan(1.5 deg) * 400 at the bottom.
    let top = Point(208, 90), bottom = Point(208 + tan(1.5 * .pi / 180) * 310, 300)
    canvas.stroke(Path.polyline(top, bottom), pen: Pen(width: 12, color: Color(repeating: 35), taper: 0.3))
    Paper.photograph(&canvas, bright: Point(0.9, 0.2), gradient: 0.2, vignette: 0.35, sigma: 1.5, random: &random)
    return try .jpeg("squared-photo-1.jpg", canvas, gray: true)
  }

  /// A 5 in a light grey marker on a whiteboard: a glare spot by the end
  /// of its bar, uneven light, ghosts of wiped writing. 400x320 RGB JPEG.
  static func whiteboard() throws -> Scenes.Sample {
    let (width, height) = (400, 320)
    var random = Random(seed: 105)
    let ghosts = ValueNoise(width: width, height: height, cell: 40, random: &random)
    var canvas = Canvas(width: width, height: height, background: Color(232, 234, 236))
    canvas.paint { x, y in Color(232, 234, 236) - Color(repeating: 6 * max(0, ghosts(x, y))) }
    let placement = Placement(origin: Point(140, 50), width: 130, height: 200, slant: 0.08, rotation: -2)
    let pen = Pen(width: 13, color: Color(150, 152, 158), opacity: 0.9, taper: 0.1)
    Digits.write(.five, on: &canvas, placement: placement, pen: pen, wobble: 0.01, random: &random)
    Paper.glare(&canvas, center: Point(300, 50), radius: 110, strength: 0.4)
    Paper.photograph(&canvas, bright: Point(0.7, 0.2), gradient: 0.22, vignette: 0.25, sigma: 1.2, random: &random)
    return try .jpeg("whiteboard-5.jpg", canvas)
  }
}
