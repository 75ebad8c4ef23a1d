import DigitInferImage
import Foundation

/// Whole numbers as people write them, for dgi_read_number: one row of
/// digits of slightly different sizes on a wavering baseline, a gap
/// between groups, a pair that touches. The number is the last part of the
/// file name (number-lined-2026.png reads "2026"); spaces in the written
/// number are left out of it.
enum NumberScenes {
  static func all() throws -> [Scenes.Sample] {
    [try lined(), try plain(), try whiteboard(), try touching(), try squared()]
  }

  /// Writes `text` (digits and spaces) in one row from `origin` (top left
  /// of the first digit), each digit about `height` pixels tall. `advance`
  /// is the space from one digit's box to the next, in digit heights (0
  /// touches, below 0 overlaps); a space leaves a gap of `gap` heights.
  static func write(
    _ text: String, on canvas: inout Canvas, origin: Point, height: Double, pen: Pen, advance: Double = 0.12,
    gap: Double = 0.45, rise: Double = 0, random: inout Random
  ) {
    var x = origin.x
    for character in text {
      guard let value = character.wholeNumberValue, let glyph = Digits.Glyph(rawValue: value) else {
        x += gap * height
        continue
      }
      let size = height * random.uniform(0.92, 1.06)
      let width = size * (glyph == .one ? 0.3 : 0.62)
      let y = origin.y + (x - origin.x) * rise + random.uniform(-0.04, 0.04) * height + (height - size)
      let placement = Placement(
        origin: Point(x, y), width: width, height: size, slant: random.uniform(0.02, 0.1), rotation: random.uniform(-3, 3))
      Digits.write(glyph, on: &canvas, placement: placement, pen: pen, wobble: 0.012, random: &random)
      x += width + advance * height
    }
  }

  /// "2026" in ballpoint on lined notebook paper, sitting on a rule that
  /// also runs through the digits above. 480x200 gray PNG.
  static func lined() throws -> Scenes.Sample {
    var random = Random(seed: 2026)
    var canvas = Canvas(width: 480, height: 200, background: Color(238, 236, 228))
    Paper.rules(&canvas, first: 22, spacing: 44, pen: Pen(width: 1.8, color: Color(120, 150, 200)))
    Paper.rules(&canvas, first: 40, spacing: 1000, vertical: true, pen: Pen(width: 1.8, color: Color(200, 90, 90)))
    let pen = Pen(width: 6.5, color: Color(25, 30, 80), opacity: 0.95, taper: 0.3)
    write("2026", on: &canvas, origin: Point(110, 50), height: 88, pen: pen, rise: -0.02, random: &random)
    return try .grayPNG("number-lined-2026.png", canvas)
  }

  /// "326 751", two groups, in felt tip on plain white paper. 600x160 gray PNG.
  static func plain() throws -> Scenes.Sample {
    var random = Random(seed: 326_751)
    var canvas = Canvas(width: 600, height: 160, background: Color(250, 250, 248))
    let pen = Pen(width: 7, color: Color(15, 15, 15), taper: 0.2)
    write("326 751", on: &canvas, origin: Point(50, 38), height: 80, pen: pen, random: &random)
    return try .grayPNG("number-plain-326751.png", canvas)
  }

  /// "42" in a grey marker on a whiteboard under a glare spot, photographed.
  /// 360x240 RGB JPEG.
  static func whiteboard() throws -> Scenes.Sample {
    let (width, height) = (360, 240)
    var random = Random(seed: 42)
    var canvas = Canvas(width: width, height: height, background: Color(230, 233, 236))
    let pen = Pen(width: 11, color: Color(120, 122, 130), opacity: 0.9, taper: 0.1)
    write("42", on: &canvas, origin: Point(100, 50), height: 130, pen: pen, advance: 0.2, random: &random)
    Paper.glare(&canvas, center: Point(120, 60), radius: 100, strength: 0.5)
    Paper.photograph(&canvas, bright: Point(0.3, 0.2), gradient: 0.2, vignette: 0.3, sigma: 1.2, random: &random)
    return try .jpeg("number-whiteboard-42.jpg", canvas)
  }

  /// "58" written quickly, the 5's tail running into the 8. 260x160 gray PNG.
  static func touching() throws -> Scenes.Sample {
    var random = Random(seed: 58)
    var canvas = Canvas(width: 260, height: 160, background: Color(245, 244, 240))
    let pen = Pen(width: 8, color: Color(20, 20, 40), taper: 0.2)
    write("58", on: &canvas, origin: Point(62, 30), height: 100, pen: pen, advance: -0.06, random: &random)
    return try .grayPNG("number-touching-58.png", canvas)
  }

  /// "1907" on squared paper, one digit a square or two. 420x200 gray PNG.
  static func squared() throws -> Scenes.Sample {
    var random = Random(seed: 1907)
    var canvas = Canvas(width: 420, height: 200, background: Color(240, 240, 236))
    let grid = Pen(width: 1.3, color: Color(150, 165, 175))
    Paper.rules(&canvas, first: 7, spacing: 26, pen: grid)
    Paper.rules(&canvas, first: 11, spacing: 26, vertical: true, pen: grid)
    let pen = Pen(width: 6, color: Color(20, 25, 70), opacity: 0.95, taper: 0.3)
    write("1907", on: &canvas, origin: Point(95, 52), height: 92, pen: pen, rise: 0.02, random: &random)
    return try .grayPNG("number-squared-1907.png", canvas)
  }
}
