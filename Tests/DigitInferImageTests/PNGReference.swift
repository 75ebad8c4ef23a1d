@testable import DigitInferImage

/// What a PNG should decode to, computed in floating point straight from
/// the PNG and BT.601 definitions, independently of the decoder's integer
/// arithmetic.
struct PNGCase {
  var width: Int
  var height: Int
  var colorType: PNGEncoder.ColorType
  var bitDepth: Int
  var samples: [UInt16]
  var interlaced = false
  var palette: [UInt8] = []
  var paletteAlpha: [UInt8]? = nil
  var transparentColor: [UInt16]? = nil

  func encode() throws(ImageError) -> [UInt8] {
    try PNGEncoder.encode(
      width: width, height: height, colorType: colorType, bitDepth: bitDepth, samples: samples,
      interlaced: interlaced, palette: palette, paletteAlpha: paletteAlpha, transparentColor: transparentColor)
  }

  /// Per pixel: luminance on a 0...255 scale (unrounded) and opacity 0...1.
  func visible() -> [(luma: Double, alpha: Double)] {
    let max = Double((1 << bitDepth) - 1)
    let channels = colorType.channels
    return (0..<width * height).map { pixel in
      let s = Array(samples[pixel * channels..<(pixel + 1) * channels]).map(Double.init)
      func luma(_ r: Double, _ g: Double, _ b: Double, _ full: Double) -> Double {
        (0.299 * r + 0.587 * g + 0.114 * b) * 255 / full
      }
      switch colorType {
      case .gray:
        let transparent = transparentColor.map { Double($0[0]) == s[0] } ?? false
        return (s[0] * 255 / max, transparent ? 0 : 1)
      case .grayAlpha:
        return (s[0] * 255 / max, s[1] / max)
      case .rgb:
        let transparent = transparentColor.map { $0.map(Double.init) == s } ?? false
        return (luma(s[0], s[1], s[2], max), transparent ? 0 : 1)
      case .rgba:
        return (luma(s[0], s[1], s[2], max), s[3] / max)
      case .palette:
        let i = Int(s[0])
        let entry = palette[3 * i..<3 * i + 3].map(Double.init)
        let alpha = paletteAlpha.flatMap { i < $0.count ? Double($0[i]) / 255 : nil } ?? 1
        return (luma(entry[0], entry[1], entry[2], 255), alpha)
      }
    }
  }

  /// The expected pixels, each with the set of acceptable values: one
  /// value, or two when the exact result is a tie at .5 that floating point
  /// cannot place.
  func expected() -> [[UInt8]] {
    let pixels = visible()
    let hasAlpha = colorType == .grayAlpha || colorType == .rgba || paletteAlpha != nil || transparentColor != nil
    var paper = 255.0
    if hasAlpha {
      let opacity = pixels.reduce(0) { $0 + $1.alpha }
      let weighted = pixels.reduce(0) { $0 + $1.alpha * $1.luma }
      if opacity > 0 && weighted / opacity > 127.5 { paper = 0 }
    }
    return pixels.map { pixel in
      let value = hasAlpha ? pixel.luma * pixel.alpha + paper * (1 - pixel.alpha) : pixel.luma
      let fraction = value - value.rounded(.down)
      if abs(fraction - 0.5) < 1e-6 { return [UInt8(value.rounded(.down)), UInt8(value.rounded(.up))] }
      return [UInt8(value.rounded())]
    }
  }
}
