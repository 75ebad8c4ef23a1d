import CImageShim

/// JPEG through libjpeg-turbo (via the C shim), Exif orientation applied.
enum JPEGDecoding {
  static func decode(_ bytes: [UInt8]) throws(ImageError) -> GrayImage {
    guard let reader = dii_jpeg_reader_create() else { throw ImageError("out of memory creating a JPEG decoder") }
    defer { dii_jpeg_reader_destroy(reader) }
    func failure(_ status: dii_status) -> ImageError {
      status == DII_NO_MEMORY ? ImageError("out of memory decoding a JPEG") : ImageError(String(cString: dii_jpeg_reader_message(reader)))
    }

    // The reader keeps a pointer to the data between the two phases.
    return try bytes.withUnsafeBufferPointer { (data) throws(ImageError) -> GrayImage in
      var header = dii_jpeg_header()
      var limits = dii_jpeg_limits(
        max_scans: UInt32(ImageDecoder.maxJPEGScans), max_scan_blocks: UInt64(ImageDecoder.maxJPEGScanBlocks),
        max_memory: UInt64(ImageDecoder.maxDecodeBytes), max_output_pixels: UInt64(ImageDecoder.maxJPEGOutputPixels))
      let status = dii_jpeg_read_header(reader, data.baseAddress, data.count, &limits, &header)
      guard status == DII_OK else { throw failure(status) }
      try ImageDecoder.checkSize(width: Int(header.width), height: Int(header.height), format: "JPEG")
      // The declared size is checked; the buffers have the (maybe reduced) output size.
      let width = Int(header.output_width)
      let height = Int(header.output_height)
      let orientation = header.exif.map { Exif.orientation(UnsafeBufferPointer(start: $0, count: header.exif_size)) } ?? nil

      let size = width * height * Int(header.components)
      var pixelStatus = DII_OK
      let pixels = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        pixelStatus = dii_jpeg_read_pixels(reader, buffer.baseAddress, size)
        // Bytes need no initialization to be valid; on failure they are dropped.
        initialized = size
      }
      guard pixelStatus == DII_OK else { throw failure(pixelStatus) }

      let stored =
        header.components == 4
        ? Luminance.gray(cmyk: pixels, width: width, height: height, inverted: header.adobe_inverted != 0)
        : GrayImage(width: width, height: height, pixels: pixels)
      return (orientation ?? .up).apply(to: stored)
    }
  }
}
