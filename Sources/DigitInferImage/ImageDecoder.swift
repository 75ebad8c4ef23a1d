/// Reads JPEG, PNG and Netpbm (PBM, PGM, PPM) images into 8-bit luminance.
///
/// Colour becomes BT.601 luma, (299 R + 587 G + 114 B) / 1000, rounded
/// once at the end: the weights of JFIF's Y, so that a colour JPEG (whose
/// decoded Y plane is used directly) and the same picture as PNG agree.
/// Samples of more than 8 bits are reduced with rounding after the
/// luminance and alpha arithmetic, never before. No gamma or colour
/// profile is applied: digit sets such as MNIST are raw sample values too.
///
/// Alpha is composited onto paper, chosen per image; see `Luminance`.
public enum ImageDecoder {
  /// 64,000,000 pixels: an 8000x8000 photo, well past any camera a digit is
  /// photographed with. Checked from the header, before pixel memory is
  /// allocated.
  public static let maxPixels = 64_000_000

  /// 256 MiB: far more than a 64-megapixel JPEG or PNG needs, and small
  /// enough to read into memory whole.
  public static let maxFileBytes = 256 << 20

  /// Progressive JPEG scans allowed: real encoders write about ten; each
  /// scan is a pass over the whole image, so a few KB of scan headers could
  /// otherwise cost minutes.
  public static let maxJPEGScans = 1000

  // The cost of one image. Every limit below is sized so that one image of
  // up to `maxPixels` costs at most about a second of CPU (on a 2.9 GHz
  // Xeon core) and, with the process around it and a file of a few MB, at
  // most 256 MB of memory. Memory is checked from headers before it is
  // allocated; work as it is done.

  /// Bytes one decode may hold beyond the file itself: 200 MB. A
  /// progressive JPEG keeps coefficient arrays for the whole image (128
  /// bytes per 8x8 block of every component, whatever the output scale):
  /// 192 MB for 8000x8000 with 4:2:0 chroma, the usual camera and web
  /// layout, so that one fits; 8000x8000 CMYK (512 MB) does not. A PNG
  /// or Netpbm image needs at most two bytes per pixel (see `Luminance`).
  public static let maxDecodeBytes = 200_000_000

  /// Coefficient blocks a JPEG's scans may decode, summed over its scans:
  /// 16,000,000, the blocks of 16 passes over one full-size component of a
  /// `maxPixels` image. A real progressive file makes about 8 such passes
  /// (4:2:0) and at most about 10 within `maxDecodeBytes`; hostile ones,
  /// hundreds of scans over empty blocks, cost 10 to 30 ns per block
  /// (arithmetic coding and successive-approximation scans being the
  /// slowest), so the limit is reached within 0.2 to 0.5 s.
  public static let maxJPEGScanBlocks = 16 * (maxPixels / 64)

  /// A JPEG above 2048x2048 pixels (4 MP) is decoded at 1/2, 1/4 or 1/8
  /// scale, the largest whose output fits. Each halving divides the pixels
  /// by four and 1/4 suffices for `maxPixels`, so a reduced image keeps
  /// more than 1 MP: a digit a tenth of a 4:3 photo's height keeps some 90
  /// pixels, far more than the 20 preprocessing fits it into, and the
  /// analysis works on 128 pixels anyway.
  public static let maxJPEGOutputPixels = 2048 * 2048

  /// Sniffs the format from the magic bytes, not a file name.
  public static func decode(_ bytes: [UInt8]) throws(ImageError) -> GrayImage {
    switch ImageFormat.sniff(bytes) {
    case .jpeg: return try JPEGDecoding.decode(bytes)
    case .png: return try PNGDecoding.decode(bytes)
    case .netpbm: return try NetpbmDecoding.decode(bytes)
    case .empty: throw ImageError("empty input: no image data")
    case .truncated(let format): throw ImageError("truncated \(format): \(bytes.count) bytes, not even a signature")
    case .unsupported(let format): throw ImageError("unsupported image format: \(format) (JPEG, PNG and PBM/PGM/PPM are read)")
    case .unknown: throw ImageError("not an image: no JPEG, PNG or PBM/PGM/PPM signature")
    }
  }

  /// Reads the file, then decodes it.
  public static func decode(contentsOfFile path: String) throws(ImageError) -> GrayImage {
    try decode(try FileReading.contents(of: path, limit: maxFileBytes))
  }
}

/// What the first bytes say.
enum ImageFormat: Equatable {
  case jpeg, png, netpbm
  case empty
  case truncated(String)
  case unsupported(String)
  case unknown

  static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

  static func sniff(_ bytes: [UInt8]) -> ImageFormat {
    if bytes.isEmpty { return .empty }
    if bytes.starts(with: jpegSignature) { return .jpeg }
    if bytes.starts(with: pngSignature) { return .png }
    if bytes.count < jpegSignature.count, jpegSignature.starts(with: bytes) { return .truncated("JPEG") }
    if bytes.count < pngSignature.count, pngSignature.starts(with: bytes) { return .truncated("PNG") }
    if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(bytes[1]) {
      return .netpbm
    }
    let ascii = String(decoding: bytes.prefix(12).map { (32...126).contains($0) ? $0 : 0x2E }, as: UTF8.self)
    if ascii.hasPrefix("GIF8") { return .unsupported("GIF") }
    if ascii.hasPrefix("BM") && bytes.count >= 14 { return .unsupported("BMP") }
    if ascii.hasPrefix("RIFF") && ascii.dropFirst(8).hasPrefix("WEBP") { return .unsupported("WebP") }
    if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
      return .unsupported("TIFF")
    }
    if ascii.hasPrefix("P7") { return .unsupported("PAM") }
    return .unknown
  }
}
