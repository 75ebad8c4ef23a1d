/// The Exif orientation of a camera image, and the transform that shows it
/// upright. Tag 0x0112 says where the stored rows and columns belong:
/// 1 as stored, 2 mirrored left-right, 3 turned 180 degrees, 4 mirrored
/// top-bottom, 5 transposed, 6 turned 90 degrees clockwise, 7 transversed,
/// 8 turned 90 degrees counter-clockwise.
enum Orientation: Int, Sendable, CaseIterable {
  case up = 1, mirrored, rotated180, mirroredVertically, transposed, rotatedClockwise, transversed,
    rotatedCounterClockwise

  /// Whether the displayed image has width and height swapped.
  var swapsAxes: Bool { rawValue >= 5 }

  /// The upright image of stored pixels `image`.
  func apply(to image: GrayImage) -> GrayImage {
    if self == .up { return image }
    let w = image.width
    let h = image.height
    let outWidth = swapsAxes ? h : w
    var out = [UInt8](repeating: 0, count: w * h)
    image.pixels.withUnsafeBufferPointer { source in
      for sy in 0..<h {
        for sx in 0..<w {
          let (dx, dy): (Int, Int)
          switch self {
          case .up: (dx, dy) = (sx, sy)
          case .mirrored: (dx, dy) = (w - 1 - sx, sy)
          case .rotated180: (dx, dy) = (w - 1 - sx, h - 1 - sy)
          case .mirroredVertically: (dx, dy) = (sx, h - 1 - sy)
          case .transposed: (dx, dy) = (sy, sx)
          case .rotatedClockwise: (dx, dy) = (h - 1 - sy, sx)
          case .transversed: (dx, dy) = (h - 1 - sy, w - 1 - sx)
          case .rotatedCounterClockwise: (dx, dy) = (sy, w - 1 - sx)
          }
          out[dy * outWidth + dx] = source[sy * w + sx]
        }
      }
    }
    return GrayImage(width: outWidth, height: swapsAxes ? w : h, pixels: out)
  }
}
