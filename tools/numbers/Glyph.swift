import DigitInferData
import Foundation

/// One MNIST digit scaled to a handwriting size: ink coverage 0...1 in a
/// box of its own, with the left and right ends of its ink on each row,
/// which the layout uses to put neighbours a given distance apart (or
/// touching).
struct Glyph {
  let label: Int
  /// Its index in the MNIST test set.
  let source: Int
  let width: Int
  let height: Int
  /// Row-major coverage, 0 = paper, 1 = full ink.
  let ink: [Float]

  /// Coverage from which a pixel counts as ink: for the boxes, the spacing
  /// and "touching".
  static let inkLevel: Float = 0.5

  /// MNIST's strokes fade out over a pixel or two; scaled up they would be
  /// a blur. Coverage is stretched so that the middle of the fade becomes
  /// the pen's edge: a stroke with a soft rim, as a scanned pen line.
  private static func sharpen(_ v: Float) -> Float { min(1, max(0, (v - 0.2) / 0.45)) }

  /// `image` (28x28, 0 = background) with its ink's height scaled to
  /// `height` pixels, its width by `aspect` on top, and its top leaning
  /// right by `shear` times the height (handwriting slant).
  init(label: Int, source: Int, image: ArraySlice<UInt8>, height targetHeight: Double, aspect: Double, shear: Double) {
    let side = 28
    let pixels = Array(image)
    // The ink's extent, ignoring MNIST's faintest anti-aliasing.
    var (x0, y0, x1, y1) = (side, side, -1, -1)
    for y in 0..<side {
      for x in 0..<side where pixels[y * side + x] > 40 {
        (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x), max(y1, y))
      }
    }
    if x1 < 0 { (x0, y0, x1, y1) = (0, 0, side - 1, side - 1) }
    let scaleY = targetHeight / Double(y1 - y0 + 1)
    let scaleX = scaleY * aspect
    let inkWidth = Double(x1 - x0 + 1) * scaleX
    let slantRoom = abs(shear) * targetHeight
    // One pixel of margin all round for the soft rim.
    width = Int((inkWidth + slantRoom).rounded(.up)) + 2
    height = Int(targetHeight.rounded(.up)) + 2
    var ink = [Float](repeating: 0, count: width * height)
    let shift = shear > 0 ? slantRoom : 0
    func at(_ x: Int, _ y: Int) -> Float {
      x < 0 || y < 0 || x >= side || y >= side ? 0 : Float(pixels[y * side + x]) / 255
    }
    for oy in 0..<height {
      // Rows from the bottom: the baseline stays put, the top leans.
      let up = Double(height - 1 - oy)
      for ox in 0..<width {
        let cx = Double(ox) + 0.5 - 1 - shift + shear * up
        let sx = Double(x0) + cx / scaleX - 0.5
        let sy = Double(y0) + (Double(oy) + 0.5 - 1) / scaleY - 0.5
        let fx = floor(sx), fy = floor(sy)
        let tx = Float(sx - fx), ty = Float(sy - fy)
        let ix = Int(fx), iy = Int(fy)
        let top = at(ix, iy) * (1 - tx) + at(ix + 1, iy) * tx
        let bottom = at(ix, iy + 1) * (1 - tx) + at(ix + 1, iy + 1) * tx
        ink[oy * width + ox] = Self.sharpen(top * (1 - ty) + bottom * ty)
      }
    }
    self.label = label
    self.source = source
    self.ink = ink
  }

  func isInk(_ x: Int, _ y: Int) -> Bool {
    x >= 0 && y >= 0 && x < width && y < height && ink[y * width + x] >= Self.inkLevel
  }

  /// The leftmost and rightmost ink column of each row (nil: no ink).
  var rowExtents: [(left: Int, right: Int)?] {
    (0..<height).map { y in
      guard let left = (0..<width).first(where: { isInk($0, y) }) else { return nil }
      return (left, (0..<width).last(where: { isInk($0, y) })!)
    }
  }

  /// The box of its ink pixels within its own box.
  var inkBox: (x: Int, y: Int, width: Int, height: Int) {
    var (x0, y0, x1, y1) = (width, height, -1, -1)
    for y in 0..<height {
      for x in 0..<width where isInk(x, y) { (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x), max(y1, y)) }
    }
    return x1 < 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
  }
}
