/// The layout of the samples a decoder produces, before reduction to 8-bit
/// luminance.
struct SampleFormat {
  /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
  var channels: Int
  /// 1, or 2 for big-endian 16-bit samples.
  var bytesPerSample: Int
  /// The value of full intensity: 255, 65535, or a Netpbm maxval.
  var maxValue: Int
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
///
/// Decoders hand over rows as they decode them, so that no image-sized
/// sample buffer exists (8000x8000 16-bit RGBA would be 512 MB): memory is
/// one byte per pixel, and two with alpha, because the paper is known only
/// after the last row, so each pixel is composited onto both papers and
/// one of the two results is kept.
struct Luminance {
  let width: Int
  let height: Int
  let format: SampleFormat
  private var out: [UInt8]
  /// With alpha: `out` is on white paper, this on black.
  private var onBlack: [UInt8]
  /// Exact sums over all pixels (up to 2^68 for 64 MP of 16-bit RGBA):
  /// alpha times luma, and alpha.
  private var weighted: UInt128 = 0
  private var opacity: UInt128 = 0

  init(width: Int, height: Int, format: SampleFormat) {
    self.width = width
    self.height = height
    self.format = format
    out = [UInt8](repeating: 0, count: width * height)
    onBlack = format.channels == 2 || format.channels == 4 ? [UInt8](repeating: 0, count: width * height) : []
  }

  /// Converts `count` pixels of samples at `row` (in `format`) to the output
  /// pixels of row `y` at columns x, x + step, ... (Adam7 passes fill a row
  /// sparsely).
  mutating func write(_ row: UnsafePointer<UInt8>, count: Int, y: Int, x: Int = 0, step: Int = 1) {
    // PNG's two maxima as literals: the divisions below by constants become
    // multiplications, which makes 8000x8000 RGBA about three times faster.
    switch format.maxValue {
    case 255: write(row, count: count, y: y, x: x, step: step, maxValue: 255)
    case 65535: write(row, count: count, y: y, x: x, step: step, maxValue: 65535)
    default: write(row, count: count, y: y, x: x, step: step, maxValue: format.maxValue)
    }
  }

  @inline(__always)
  private mutating func write(_ row: UnsafePointer<UInt8>, count: Int, y: Int, x: Int, step: Int, maxValue: Int) {
    let channels = format.channels
    let wide = format.bytesPerSample == 2
    let colour = channels >= 3
    // Luma is kept in thousandths of a sample unit, so white is this:
    let white = 1000 * maxValue
    @inline(__always) func sample(_ index: Int) -> Int {
      wide ? Int(row[2 &* index]) &<< 8 | Int(row[2 &* index &+ 1]) : Int(row[index])
    }
    @inline(__always) func luma(_ pixel: Int) -> Int {
      let base = pixel &* channels
      return colour
        ? 299 &* sample(base) &+ 587 &* sample(base &+ 1) &+ 114 &* sample(base &+ 2)
        : 1000 &* sample(base)
    }
    let first = y &* width &+ x
    guard channels == 2 || channels == 4 else {
      out.withUnsafeMutableBufferPointer { out in
        for i in 0..<count { out[first &+ i &* step] = UInt8((luma(i) &* 255 &+ white / 2) / white) }
      }
      return
    }
    let alpha = channels - 1
    // Composite in thousandths of a unit times maxValue, so that the one
    // division to 0...255 rounds everything at once. At most
    // 65,535,000 * 65,535 * 255, about 1.1e15.
    let denominator = white * maxValue
    var weighted: UInt128 = 0, opacity: UInt128 = 0
    // Moved out for the loop, so that the two buffers are borrowed apart.
    var (whitePaper, blackPaper): ([UInt8], [UInt8]) = ([], [])
    swap(&whitePaper, &out)
    swap(&blackPaper, &onBlack)
    defer {
      swap(&whitePaper, &out)
      swap(&blackPaper, &onBlack)
    }
    whitePaper.withUnsafeMutableBufferPointer { onWhite in
      blackPaper.withUnsafeMutableBufferPointer { onBlack in
        for i in 0..<count {
          let a = sample(i &* channels &+ alpha)
          let ink = luma(i) &* a
          weighted &+= UInt128(ink)
          opacity &+= UInt128(a)
          let at = first &+ i &* step
          onBlack[at] = UInt8((ink &* 255 &+ denominator / 2) / denominator)
          onWhite[at] = UInt8(((ink &+ white &* (maxValue &- a)) &* 255 &+ denominator / 2) / denominator)
        }
      }
    }
    self.weighted += weighted
    self.opacity += opacity
  }

  /// The image, once every pixel has been written.
  consuming func finish() -> GrayImage {
    // Light ink (a visible mean above mid-gray) goes on black paper; the
    // other result is freed with `self`.
    let lightInk = !onBlack.isEmpty && opacity != 0 && 2 * weighted > opacity * UInt128(1000 * format.maxValue)
    return GrayImage(width: width, height: height, pixels: lightInk ? onBlack : out)
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
