import CImageShim

/// Baseline JPEG writing through libjpeg-turbo: the sample tool's photo and
/// the tests' JPEGs.
public enum JPEGEncoder {
  /// Baseline JPEG of 8-bit samples, row-major and interleaved:
  /// `components` 1 (gray), 3 (RGB, stored as YCbCr 4:2:0) or 4 (CMYK,
  /// written as given with an Adobe marker, so pass inverted inks as Adobe
  /// applications do). `quality` is libjpeg's 1...100. `exifOrientation`
  /// 1...8 writes an Exif APP1 segment with that orientation tag in place
  /// of the JFIF header, as a camera would.
  public static func encode(
    width: Int, height: Int, components: Int, samples: [UInt8], quality: Int, exifOrientation: Int? = nil
  ) throws(ImageError) -> [UInt8] {
    try encode(
      width: width, height: height, components: components, samples: samples, quality: quality,
      exifOrientation: exifOrientation, coding: Coding())
  }

  /// Progressive and arithmetic coding, for the tests' costly images.
  struct Coding {
    var arithmetic = false
    var progressive = false
    /// (component or -1 for all, Ss, Se, Ah, Al) per scan; empty for
    /// libjpeg's standard progression.
    var scans: [(component: Int, ss: Int, se: Int, ah: Int, al: Int)] = []
  }

  static func encode(
    width: Int, height: Int, components: Int, samples: [UInt8], quality: Int, exifOrientation: Int? = nil,
    coding: Coding
  ) throws(ImageError) -> [UInt8] {
    guard (1...65535).contains(width), (1...65535).contains(height) else {
      throw ImageError("cannot encode JPEG: size \(width)x\(height) (1 to 65535 each)")
    }
    guard [1, 3, 4].contains(components) else {
      throw ImageError("cannot encode JPEG: \(components) components (1, 3 or 4)")
    }
    guard samples.count == width * height * components else {
      throw ImageError("cannot encode JPEG: \(samples.count) samples for \(width)x\(height)x\(components)")
    }
    guard (1...100).contains(quality) else { throw ImageError("cannot encode JPEG: quality \(quality) (1 to 100)") }
    var exif: [UInt8]? = nil
    if let exifOrientation {
      guard let orientation = Orientation(rawValue: exifOrientation) else {
        throw ImageError("cannot encode JPEG: Exif orientation \(exifOrientation) (1 to 8)")
      }
      exif = Exif.block(orientation: orientation)
    }
    let app1 = exif ?? []
    let script = coding.scans.flatMap { [$0.component, $0.ss, $0.se, $0.ah, $0.al].map(Int32.init) }
    return try EncodedBuffer.take { out, size, message in
      samples.withUnsafeBufferPointer { samples in
        app1.withUnsafeBufferPointer { app1Buffer in
          script.withUnsafeBufferPointer { script in
            var options = dii_jpeg_coding(
              arithmetic: coding.arithmetic ? 1 : 0, progressive: coding.progressive ? 1 : 0,
              scans: script.isEmpty ? nil : script.baseAddress, scan_count: Int32(coding.scans.count))
            return dii_jpeg_encode(
              samples.baseAddress, UInt32(width), UInt32(height), Int32(components), Int32(quality),
              exif == nil ? nil : app1Buffer.baseAddress, app1Buffer.count, &options, out, size, message)
          }
        }
      }
    }
  }
}
