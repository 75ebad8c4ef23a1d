extension ImageDecoder {
  /// Checks a size read from a header before anything of that size is
  /// allocated. The product cannot overflow: both sides come from at most
  /// 32-bit fields.
  static func checkSize(width: Int, height: Int, format: String) throws(ImageError) {
    guard width > 0, height > 0 else {
      throw ImageError("invalid \(format): zero \(width == 0 ? "width" : "height")")
    }
    guard width.multipliedReportingOverflow(by: height).partialValue <= maxPixels,
      !width.multipliedReportingOverflow(by: height).overflow
    else {
      throw ImageError("image too large: \(width)x\(height) pixels (limit \(maxPixels))")
    }
  }
}
