import DigitInferData
import DigitInferImage
import DigitInferSupport
import Foundation

/// What the number is written on.
enum Background: String, CaseIterable {
  /// Dark ink on near-white paper.
  case white
  /// Dark ink on grey paper lit unevenly: brightness falls off across the page.
  case greyGradient = "grey-gradient"
  /// Light ink (chalk, a light pen) on a dark ground.
  case dark
}

/// How the ink becomes a photo or scan: paper, lighting, blur, sensor noise.
struct Page {
  var background: Background
  /// Gaussian blur of the finished page, in pixels (0: none).
  var blur: Double
  /// Deviation of the added noise, in grey levels.
  var noise: Double

  /// The page with `ink` (coverage 0...1, `width` x `height`) written on it.
  func render(ink: [Float], width: Int, height: Int, random: inout SplitMix64) -> GrayImage {
    let paper: Double, inkLevel: Double, slope: Double
    switch background {
    case .white: (paper, inkLevel, slope) = (random.uniform(228, 252), random.uniform(15, 70), 0)
    case .greyGradient: (paper, inkLevel, slope) = (random.uniform(150, 205), random.uniform(10, 55), random.uniform(25, 55))
    case .dark: (paper, inkLevel, slope) = (random.uniform(20, 75), random.uniform(190, 245), random.uniform(0, 15))
    }
    let angle = random.uniform(0, 2 * .pi)
    let opacity = random.uniform(0.85, 1)
    let (ux, uy) = (cos(angle), sin(angle))
    var page = [Double](repeating: 0, count: width * height)
    for y in 0..<height {
      for x in 0..<width {
        // Brightness along a random direction, -0.5...0.5 across the page.
        let t = (Double(x) / Double(width) - 0.5) * ux + (Double(y) / Double(height) - 0.5) * uy
        let ground = paper + slope * t
        let c = opacity * Double(ink[y * width + x])
        page[y * width + x] = ground * (1 - c) + inkLevel * c
      }
    }
    if blur > 0 { page = Self.gaussianBlur(page, width: width, height: height, sigma: blur) }
    let pixels = page.map { v -> UInt8 in
      UInt8(min(255, max(0, (v + (noise > 0 ? random.gaussian(noise) : 0)).rounded())))
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }

  /// Separable Gaussian blur, edges clamped.
  static func gaussianBlur(_ image: [Double], width: Int, height: Int, sigma: Double) -> [Double] {
    let radius = max(1, Int((3 * sigma).rounded(.up)))
    var kernel = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
    let sum = kernel.reduce(0, +)
    kernel = kernel.map { $0 / sum }
    var rows = [Double](repeating: 0, count: image.count)
    for y in 0..<height {
      for x in 0..<width {
        var v = 0.0
        for k in -radius...radius { v += kernel[k + radius] * image[y * width + min(width - 1, max(0, x + k))] }
        rows[y * width + x] = v
      }
    }
    var out = [Double](repeating: 0, count: image.count)
    for y in 0..<height {
      for x in 0..<width {
        var v = 0.0
        for k in -radius...radius { v += kernel[k + radius] * rows[min(height - 1, max(0, y + k)) * width + x] }
        out[y * width + x] = v
      }
    }
    return out
  }
}

extension SplitMix64 {
  /// Uniform in low..<high, the same for a seed on every platform (Augmentation.unit).
  mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Augmentation.unit(&self) }

  /// Uniform in range, by the same fixed recipe.
  mutating func integer(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + min(range.count - 1, Int(Augmentation.unit(&self) * Double(range.count)))
  }

  /// Normal with mean 0 and deviation `sigma` (Box-Muller).
  mutating func gaussian(_ sigma: Double) -> Double {
    let u = max(Augmentation.unit(&self), 1e-12), v = Augmentation.unit(&self)
    return sigma * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool { Augmentation.unit(&self) < p }
}
