/// Samples as a decoder produced them, before reduction to 8-bit luminance.
struct Samples {
  var width: Int
  var height: Int
  /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
  var channels: Int
  /// 1, or 2 for big-endian 16-bit samples.
  var bytesPerSample: Int
  /// The value of full intensity: 255, 65535, or a Netpbm maxval.
  var maxValue: Int
  var bytes: [UInt8]
}

/// Colour to BT.601 luma and alpha onto paper, in integers, rounding half
/// up once at the end.
///
/// The paper under a transparent image is the background a digit is drawn
/// on, and which one it is matters: dark strokes on a transparent background
/// vanish on black paper, white chalk strokes vanish on white. So the paper
/// is the opposite of what is visible: the alpha-weighted mean luminance of
/// the image decides, and a mean at or below mid-gray (dark ink) gets white
/// paper, a brighter mean gets black. A fully transparent image has nothing
/// visible and becomes uniform white paper. Opaque pixels are unaffected.
enum Luminance {
  static func gray(_ samples: Samples) -> GrayImage {
    let count = samples.width * samples.height
    let channels = samples.channels
    let wide = samples.bytesPerSample == 2
    let colour = channels >= 3
    let maxValue = samples.maxValue
    // Luma is kept in thousandths of a sample unit, so white is this:
    let white = 1000 * maxValue
    let pixels = samples.bytes.withUnsafeBufferPointer { bytes in
      func sample(_ index: Int) -> Int {
        wide ? Int(bytes[2 &* index]) &<< 8 | Int(bytes[2 &* index &+ 1]) : Int(bytes[index])
      }
      func luma(_ pixel: Int) -> Int {
        let base = pixel &* channels
        return colour
          ? 299 &* sample(base) &+ 587 &* sample(base &+ 1) &+ 114 &* sample(base &+ 2)
          : 1000 &* sample(base)
      }
      var out = [UInt8](repeating: 0, count: count)
      guard channels == 2 || channels == 4 else {
        for pixel in 0..<count { out[pixel] = UInt8((luma(pixel) &* 255 &+ white / 2) / white) }
        return out
      }

      let alpha = channels - 1
      // Doubles: the exact sums can pass 2^63 for a large 16-bit image, and
      // the comparison needs no exactness.
      var weighted = 0.0
      var opacity = 0.0
      for pixel in 0..<count {
        let a = sample(pixel &* channels &+ alpha)
        if a > 0 {
          weighted += Double(a) * Double(luma(pixel))
          opacity += Double(a)
        }
      }
      let paper = opacity == 0 || weighted <= opacity * Double(white) / 2 ? white : 0
      // Composite in thousandths of a unit times maxValue, so that the one
      // division to 0...255 rounds everything at once. At most
      // 65,535,000 * 65,535 * 255, about 1.1e15.
      let denominator = white * maxValue
      for pixel in 0..<count {
        let a = sample(pixel &* channels &+ alpha)
        let composite = luma(pixel) &* a &+ paper &* (maxValue &- a)
        out[pixel] = UInt8((composite &* 255 &+ denominator / 2) / denominator)
      }
      return out
    }
    return GrayImage(width: samples.width, height: samples.height, pixels: pixels)
  }

  /// CMYK as JPEG stores it to luma. Adobe applications store the inks
  /// inverted (0 = full ink) and say so with an APP14 marker; files without
  /// the marker store ink amounts directly.
  static func gray(cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> GrayImage {
    var out = [UInt8](repeating: 0, count: width * height)
    cmyk.withUnsafeBufferPointer { cmyk in
      for pixel in 0..<out.count {
        let base = pixel &* 4
        // With inverted samples, each of R, G, B is (stored C, M, Y) * (stored K) / 255.
        func light(_ value: UInt8) -> Int { inverted ? Int(value) : 255 - Int(value) }
        let rgbWeighted = 299 &* light(cmyk[base]) &+ 587 &* light(cmyk[base &+ 1]) &+ 114 &* light(cmyk[base &+ 2])
        let product = rgbWeighted &* light(cmyk[base &+ 3])
        out[pixel] = UInt8((product &+ 255 * 1000 / 2) / (255 * 1000))
      }
    }
    return GrayImage(width: width, height: height, pixels: out)
  }
}
