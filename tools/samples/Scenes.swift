import Foundation

/// The six sample images: each a digit as it might reach the classifier
/// from a different source. The label is the digit in the file name.
enum Scenes {
  struct Sample {
    var name: String
    var bytes: [UInt8]
  }

  static func all() throws -> [Sample] {
    [
      try penOnPaper(), try chalkOnBoard(), try transparent(), try smallOffCentre(), try paintProgram(), scan(),
    ]
  }

  /// A phone photo of a 4 in ballpoint on grey paper: light falling off
  /// towards one corner, the soft shadow of the phone, paper texture, dirt,
  /// sensor noise. 600x800 RGB JPEG.
  static func penOnPaper() throws -> Sample {
    let (width, height) = (600, 800)
    var random = Random(seed: 4)
    let fibres = ValueNoise(width: width, height: height, cell: 6, random: &random)
    let blotches = ValueNoise(width: width, height: height, cell: 120, random: &random)
    let paper = Color(196, 192, 182)
    var canvas = Canvas(width: width, height: height, background: paper)
    canvas.paint { x, y in
      let fx = x / Double(width)
      let fy = y / Double(height)
      var light = 1.06 - 0.16 * fx - 0.22 * fy + 0.03 * blotches(x, y)
      // The phone's shadow: a soft band across the lower left corner.
      let edge = (fx * 0.8 + (1 - fy)) - 0.55
      light *= 0.78 + 0.22 * min(1, max(0, edge / 0.12))
      return paper * light + Color(repeating: 3 * fibres(x, y))
    }
    for _ in 0..<7 {
      let center = Point(random.uniform(20, Double(width) - 20), random.uniform(20, Double(height) - 20))
      canvas.dot(at: center, radius: random.uniform(1.2, 3.2), color: Color(70, 60, 50), opacity: random.uniform(0.5, 0.9))
    }
    let placement = Placement(origin: Point(185, 240), width: 230, height: 320, slant: 0.08, rotation: -3)
    let pen = Pen(width: 20, color: Color(32, 36, 70), opacity: 0.92, taper: 0.35)
    Digits.write(.four, on: &canvas, placement: placement, pen: pen, wobble: 0.012, random: &random)
    // Sensor noise, stronger in the darker parts as in a real photo.
    let drawn = canvas.pixels
    canvas.paint { x, y in
      let p = drawn[Int(y) * width + Int(x)]
      return p + Color(repeating: random.gaussian(2.0)) + Color(random.gaussian(1), random.gaussian(1), random.gaussian(1))
    }
    return try .jpeg("pen-on-paper-4.jpg", canvas, quality: 82)
  }

  /// A 3 in chalk on a worn blackboard, with smudges of old writing.
  /// 400x400 8-bit gray PNG.
  static func chalkOnBoard() throws -> Sample {
    let (width, height) = (400, 400)
    var random = Random(seed: 3)
    let smudges = ValueNoise(width: width, height: height, cell: 70, random: &random)
    let grain = ValueNoise(width: width, height: height, cell: 3, random: &random)
    var canvas = Canvas(width: width, height: height, background: Color(repeating: 48))
    canvas.paint { x, y in
      Color(repeating: 48 + 10 * max(0, smudges(x, y)) + 3 * grain(x, y) + random.gaussian(1.2))
    }
    let dust = ValueNoise(width: width, height: height, cell: 2.5, random: &random)
    let pen = Pen(width: 22, color: Color(repeating: 232), taper: 0.2, grain: { x, y in 0.72 + 0.28 * dust(x, y) })
    let placement = Placement(origin: Point(110, 70), width: 190, height: 260, slant: 0.05, rotation: 2)
    Digits.write(.three, on: &canvas, placement: placement, pen: pen, wobble: 0.01, random: &random)
    return try .grayPNG("chalk-on-board-3.png", canvas)
  }

  /// A 2 drawn on a transparent layer, as exported from a drawing app:
  /// dark strokes, alpha only where the pen went. 256x256 RGBA PNG.
  static func transparent() throws -> Sample {
    let (width, height) = (256, 256)
    var random = Random(seed: 2)
    var canvas = Canvas(width: width, height: height, background: Color(0, 0, 0), transparent: true)
    let placement = Placement(origin: Point(58, 38), width: 140, height: 180, slant: 0.04)
    let pen = Pen(width: 18, color: Color(24, 24, 30), taper: 0.15)
    Digits.write(.two, on: &canvas, placement: placement, pen: pen, wobble: 0.01, random: &random)
    return try .colorPNG("transparent-2.png", canvas, alpha: true)
  }

  /// A small 5 (about 60 pixels tall) near the top right of a large white
  /// page: the classifier must find it. 1024x768 RGB PNG.
  static func smallOffCentre() throws -> Sample {
    let (width, height) = (1024, 768)
    var random = Random(seed: 5)
    var canvas = Canvas(width: width, height: height, background: Color(252, 252, 250))
    let placement = Placement(origin: Point(842, 74), width: 44, height: 60, slant: 0.06, rotation: -2)
    let pen = Pen(width: 5.5, color: Color(20, 30, 90), taper: 0.2)
    Digits.write(.five, on: &canvas, placement: placement, pen: pen, wobble: 0.01, random: &random)
    return try .colorPNG("small-offcentre-5.png", canvas)
  }

  /// An 8 painted with a big round brush in a paint program: solid
  /// colour, hard edges, slightly uneven loops. 300x300 RGB PNG.
  static func paintProgram() throws -> Sample {
    let (width, height) = (300, 300)
    var random = Random(seed: 8)
    var canvas = Canvas(width: width, height: height, background: Color(255, 255, 255))
    let placement = Placement(origin: Point(72, 30), width: 156, height: 240, rotation: 3)
    let pen = Pen(width: 26, color: Color(10, 10, 10), hardEdge: true)
    Digits.write(.eight, on: &canvas, placement: placement, pen: pen, wobble: 0.015, random: &random)
    return try .colorPNG("paint-program-8.png", canvas)
  }

  /// A 9 in ink from a flatbed scanner: off-white paper, faint noise, the
  /// shadow of the page edge along the left. 200x280 binary PGM (P5).
  static func scan() -> Sample {
    let (width, height) = (200, 280)
    var random = Random(seed: 9)
    var canvas = Canvas(width: width, height: height, background: Color(repeating: 236))
    canvas.paint { x, _ in
      let shadow = max(0, 1 - x / 14) * 70
      return Color(repeating: 236 - shadow + random.gaussian(1.5))
    }
    let placement = Placement(origin: Point(52, 48), width: 110, height: 180, slant: 0.1, rotation: 1)
    let pen = Pen(width: 12, color: Color(repeating: 38), opacity: 0.95, taper: 0.3)
    Digits.write(.nine, on: &canvas, placement: placement, pen: pen, wobble: 0.012, random: &random)
    let header = Array("P5\n# scanned digit 9, made by tools/samples\n\(width) \(height)\n255\n".utf8)
    return Sample(name: "scan-9.pgm", bytes: header + canvas.gray())
  }
}
