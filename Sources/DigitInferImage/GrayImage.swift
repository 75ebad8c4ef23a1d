/// An 8-bit grayscale image: what every decoder here produces, whatever the
/// file held.
public struct GrayImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// Row-major, stride == width, so `pixels.count == width * height`.
  /// Luminance: 0 is black and 255 is white, whichever is the ink.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  public subscript(x: Int, y: Int) -> UInt8 {
    pixels[y * width + x]
  }
}
