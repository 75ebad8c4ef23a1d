import Foundation

struct Point {
  var x: Double
  var y: Double

  init(_ x: Double, _ y: Double) {
    self.x = x
    self.y = y
  }

  static func + (a: Point, b: Point) -> Point { Point(a.x + b.x, a.y + b.y) }
  static func - (a: Point, b: Point) -> Point { Point(a.x - b.x, a.y - b.y) }
  static func * (a: Point, k: Double) -> Point { Point(a.x * k, a.y * k) }
  func dot(_ b: Point) -> Double { x * b.x + y * b.y }
}

/// Paths as point lists fine enough to draw as straight segments: a few
/// pixels apart at the sizes the samples use.
enum Path {
  /// Points from (0,0) to (1,1) are plenty for a glyph up to a few hundred
  /// pixels when spaced this finely.
  static let steps = 48

  static func cubic(_ p0: Point, _ p1: Point, _ p2: Point, _ p3: Point) -> [Point] {
    (0...steps).map { i in
      let t = Double(i) / Double(steps)
      let u = 1 - t
      return p0 * (u * u * u) + p1 * (3 * u * u * t) + p2 * (3 * u * t * t) + p3 * (t * t * t)
    }
  }

  /// An elliptical arc, angles in degrees, clockwise on screen (y down)
  /// when `to` > `from`.
  static func arc(center: Point, radiusX: Double, radiusY: Double, from: Double, to: Double) -> [Point] {
    (0...steps).map { i in
      let angle = (from + (to - from) * Double(i) / Double(steps)) * .pi / 180
      return Point(center.x + radiusX * cos(angle), center.y + radiusY * sin(angle))
    }
  }

  /// A polyline with extra points along each straight part, so that later
  /// bending (jitter) keeps it smooth.
  static func polyline(_ points: Point...) -> [Point] {
    var out = [points[0]]
    for (a, b) in zip(points, points.dropFirst()) {
      for i in 1...12 { out.append(a + (b - a) * (Double(i) / 12)) }
    }
    return out
  }

  /// Joins pieces drawn in one pen movement, dropping the repeated joints.
  static func join(_ pieces: [Point]...) -> [Point] {
    pieces.dropFirst().reduce(pieces[0]) { $0 + $1.dropFirst() }
  }
}

/// A shear, a rotation and a placement: unit glyph coordinates to pixels.
struct Placement {
  /// Top-left corner and size of the glyph box in pixels.
  var origin: Point
  var width: Double
  var height: Double
  /// Rightward lean of the top, as a fraction of the height (handwriting
  /// slants).
  var slant: Double = 0
  /// Degrees, clockwise.
  var rotation: Double = 0

  func apply(_ p: Point) -> Point {
    let x = (p.x - 0.5 + slant * (0.5 - p.y)) * width
    let y = (p.y - 0.5) * height
    let angle = rotation * .pi / 180
    let rx = x * cos(angle) - y * sin(angle)
    let ry = x * sin(angle) + y * cos(angle)
    return Point(origin.x + width / 2 + rx, origin.y + height / 2 + ry)
  }
}
