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

      let size = header.row_bytes * height
      var pixelStatus = DII_OK
      let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        pixelStatus = dii_png_read_pixels(reader, buffer.baseAddress, size)
        initialized = size
      }
      guard pixelStatus == DII_OK else { throw failure(pixelStatus) }
      let wide = header.bit_depth == 16
      return Luminance.gray(
        Samples(
          width: width, height: height, channels: Int(header.channels), bytesPerSample: wide ? 2 : 1,
          maxValue: wide ? 65535 : 255, bytes: bytes))
    }
  }
}
