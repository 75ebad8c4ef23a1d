import CImageShim

/// PNG writing through libpng: the sample tool's images and every PNG
/// variant the tests decode.
public enum PNGEncoder {
  /// The PNG colour types, with their IHDR values.
  public enum ColorType: Int, Sendable, CaseIterable {
    case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6

    public var channels: Int {
      switch self {
      case .gray, .palette: 1
      case .grayAlpha: 2
      case .rgb: 3
      case .rgba: 4
      }
    }

    /// The bit depths PNG allows for the type.
    public var bitDepths: [Int] {
      switch self {
      case .gray: [1, 2, 4, 8, 16]
      case .palette: [1, 2, 4, 8]
      case .rgb, .grayAlpha, .rgba: [8, 16]
      }
    }
  }

  /// 8-bit grayscale PNG of `image`.
  public static func encode(_ image: GrayImage) throws(ImageError) -> [UInt8] {
    try encode(
      width: image.width, height: image.height, colorType: .gray, bitDepth: 8,
      samples: image.pixels.map { UInt16($0) })
  }

  /// Any PNG. `samples` holds `colorType.channels` values per pixel, row by
  /// row, each below 2^bitDepth (palette indices below the palette size);
  /// they are packed as PNG stores them.
  /// - Parameters:
  ///   - palette: RGB triplets, flattened, for `.palette`.
  ///   - paletteAlpha: a tRNS chunk for `.palette`: the alpha of the first
  ///     entries, the rest opaque.
  ///   - transparentColor: a tRNS chunk for `.gray` (one value) or `.rgb`
  ///     (three): pixels of exactly that colour are transparent.
  public static func encode(
    width: Int, height: Int, colorType: ColorType, bitDepth: Int, samples: [UInt16], interlaced: Bool = false,
    palette: [UInt8] = [], paletteAlpha: [UInt8]? = nil, transparentColor: [UInt16]? = nil
  ) throws(ImageError) -> [UInt8] {
    guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
      throw ImageError("cannot encode PNG: size \(width)x\(height)")
    }
    guard colorType.bitDepths.contains(bitDepth) else {
      throw ImageError("cannot encode PNG: bit depth \(bitDepth) with colour type \(colorType.rawValue)")
    }
    let channels = colorType.channels
    guard samples.count == width * height * channels else {
      throw ImageError("cannot encode PNG: \(samples.count) samples for \(width)x\(height)x\(channels)")
    }
    let limit = colorType == .palette ? palette.count / 3 : 1 << bitDepth
    if let bad = samples.first(where: { Int($0) >= limit }) {
      throw ImageError("cannot encode PNG: sample \(bad) out of range for \(colorType) at \(bitDepth) bits")
    }
    guard colorType == .palette || palette.isEmpty, paletteAlpha == nil || colorType == .palette,
      palette.count % 3 == 0
    else {
      throw ImageError("cannot encode PNG: palette data given for colour type \(colorType.rawValue)")
    }
    if let color = transparentColor {
      guard colorType == .gray || colorType == .rgb, color.count == channels else {
        throw ImageError("cannot encode PNG: a transparent colour needs a gray or RGB image and one value per channel")
      }
    }

    let rows = pack(samples, width: width, height: height, channels: channels, bitDepth: bitDepth)
    var spec = dii_png_spec()
    spec.width = UInt32(width)
    spec.height = UInt32(height)
    spec.color_type = Int32(colorType.rawValue)
    spec.bit_depth = Int32(bitDepth)
    spec.interlaced = interlaced ? 1 : 0
    spec.palette_entries = Int32(palette.count / 3)
    spec.palette_alpha_entries = Int32(paletteAlpha?.count ?? 0)
    if let color = transparentColor {
      spec.has_transparent_color = 1
      spec.transparent_color = (color[0], color.count > 1 ? color[1] : 0, color.count > 2 ? color[2] : 0)
    }
    let alpha = paletteAlpha ?? []
    return try palette.withUnsafeBufferPointer { (palette) throws(ImageError) -> [UInt8] in
      try alpha.withUnsafeBufferPointer { (alphaBuffer) throws(ImageError) -> [UInt8] in
        spec.palette = palette.count > 0 ? palette.baseAddress : nil
        spec.palette_alpha = paletteAlpha != nil ? alphaBuffer.baseAddress : nil
        return try EncodedBuffer.take { out, size, message in
          rows.withUnsafeBufferPointer { dii_png_encode(&spec, $0.baseAddress, $0.count, out, size, message) }
        }
      }
    }
  }

  /// Rows as PNG stores them: low bit depths packed from the high bit,
  /// each row starting on a byte; 16-bit big-endian.
  static func pack(_ samples: [UInt16], width: Int, height: Int, channels: Int, bitDepth: Int) -> [UInt8] {
    let perRow = width * channels
    let rowBytes = (perRow * bitDepth + 7) / 8
    var out = [UInt8](repeating: 0, count: rowBytes * height)
    for y in 0..<height {
      for i in 0..<perRow {
        let value = samples[y * perRow + i]
        switch bitDepth {
        case 16:
          out[y * rowBytes + 2 * i] = UInt8(value >> 8)
          out[y * rowBytes + 2 * i + 1] = UInt8(value & 0xFF)
        case 8:
          out[y * rowBytes + i] = UInt8(value)
        default:
          let bit = i * bitDepth
          out[y * rowBytes + bit / 8] |= UInt8(value) << (8 - bitDepth - bit % 8)
        }
      }
    }
    return out
  }
}

/// Copies a buffer the C encoders allocated into Swift and frees it.
enum EncodedBuffer {
  static func take(
    _ encode: (
      UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>
    ) -> dii_status
  ) throws(ImageError) -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var message = [CChar](repeating: 0, count: Int(DII_MESSAGE_SIZE))
    let status = message.withUnsafeMutableBufferPointer { encode(&out, &size, $0.baseAddress!) }
    defer { dii_free(out) }
    guard status == DII_OK, let out else {
      throw ImageError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return Array(UnsafeBufferPointer(start: out, count: size))
  }
}
