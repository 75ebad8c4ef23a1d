import CImageShim

/// PNG through libpng (via the C shim): every colour type and bit depth,
/// interlaced or not.
enum PNGDecoding {
  static func decode(_ bytes: [UInt8]) throws(ImageError) -> GrayImage {
    guard let reader = dii_png_reader_create() else { throw ImageError("out of memory creating a PNG decoder") }
    defer { dii_png_reader_destroy(reader) }
    func failure(_ status: dii_status) -> ImageError {
      status == DII_NO_MEMORY ? ImageError("out of memory decoding a PNG") : ImageError(String(cString: dii_png_reader_message(reader)))
    }

    return try bytes.withUnsafeBufferPointer { (data) throws(ImageError) -> GrayImage in
      var header = dii_png_header()
      let status = dii_png_read_header(reader, data.baseAddress, data.count, &header)
      guard status == DII_OK else { throw failure(status) }
      let width = Int(header.width)
      let height = Int(header.height)
      try ImageDecoder.checkSize(width: width, height: height, format: "PNG")

      let wide = header.bit_depth == 16
      var luminance = Luminance(
        width: width, height: height,
        format: SampleFormat(channels: Int(header.channels), bytesPerSample: wide ? 2 : 1, maxValue: wide ? 65535 : 255))
      // One row of samples at a time: converted as decoded (see Luminance).
      var row = [UInt8](repeating: 0, count: header.row_bytes)
      while true {
        var place = dii_png_row()
        let rowStatus = row.withUnsafeMutableBufferPointer { dii_png_read_row(reader, $0.baseAddress, $0.count, &place) }
        guard rowStatus == DII_OK else { throw failure(rowStatus) }
        if place.count == 0 { return luminance.finish() }
        row.withUnsafeBufferPointer {
          luminance.write($0.baseAddress!, count: Int(place.count), y: Int(place.y), x: Int(place.x), step: Int(place.step))
        }
      }
    }
  }
}
