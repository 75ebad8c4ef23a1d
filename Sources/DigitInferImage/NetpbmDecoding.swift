/// PBM, PGM and PPM, plain (P1, P2, P3) and raw (P4, P5, P6), after the
/// netpbm specifications: '#' comments anywhere in the header, maxval
/// 1...65535 with 16-bit big-endian raw samples above 255, and 1 = black in
/// bitmaps. Data after the first image is ignored (a file may hold several).
enum NetpbmDecoding {
  static func decode(_ bytes: [UInt8]) throws(ImageError) -> GrayImage {
    var reader = NetpbmReader(bytes: bytes, kind: Int(bytes[1] - UInt8(ascii: "0")))
    return try reader.image()
  }
}

private struct NetpbmReader {
  let bytes: [UInt8]
  let kind: Int
  var position = 2

  init(bytes: [UInt8], kind: Int) {
    self.bytes = bytes
    self.kind = kind
  }

  var format: String { ["PBM", "PGM", "PPM"][(kind - 1) % 3] }
  var isBitmap: Bool { kind == 1 || kind == 4 }
  var channels: Int { kind == 3 || kind == 6 ? 3 : 1 }

  mutating func image() throws(ImageError) -> GrayImage {
    let width = try headerNumber("width")
    let height = try headerNumber("height")
    let maxValue = isBitmap ? 1 : try headerNumber("maxval")
    guard (1...65535).contains(maxValue) else {
      throw ImageError("invalid \(format): maxval \(maxValue) (must be 1 to 65535)")
    }
    try ImageDecoder.checkSize(width: width, height: height, format: format)
    if kind >= 4 {
      // Exactly one whitespace byte separates the header from raw samples,
      // which may themselves be whitespace values.
      guard position < bytes.count else { throw ImageError("truncated \(format): no raster after the header") }
      guard isWhitespace(bytes[position]) else {
        throw ImageError("invalid \(format): expected whitespace after the header, found \(describe(bytes[position]))")
      }
      position += 1
    }
    switch kind {
    case 1: return try plainBitmap(width: width, height: height)
    case 4: return try rawBitmap(width: width, height: height)
    case 2, 3: return try plainSamples(width: width, height: height, maxValue: maxValue)
    default: return try rawSamples(width: width, height: height, maxValue: maxValue)
    }
  }

  // MARK: Header

  private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  private func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

  private func describe(_ byte: UInt8) -> String {
    (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
  }

  private mutating func skipWhitespaceAndComments() {
    while position < bytes.count {
      if isWhitespace(bytes[position]) {
        position += 1
      } else if bytes[position] == UInt8(ascii: "#") {
        while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
      } else {
        return
      }
    }
  }

  private mutating func headerNumber(_ name: String) throws(ImageError) -> Int {
    skipWhitespaceAndComments()
    guard position < bytes.count else { throw ImageError("truncated \(format): header ends before the \(name)") }
    guard isDigit(bytes[position]) else {
      throw ImageError("invalid \(format): expected the \(name), found \(describe(bytes[position]))")
    }
    let value = try digits(name)
    if position < bytes.count, !isWhitespace(bytes[position]), bytes[position] != UInt8(ascii: "#") {
      throw ImageError("invalid \(format): \(describe(bytes[position])) after the \(name)")
    }
    return value
  }

  /// A decimal number at `position`, which holds a digit.
  private mutating func digits(_ name: String) throws(ImageError) -> Int {
    var value = 0
    while position < bytes.count, isDigit(bytes[position]) {
      value = value * 10 + Int(bytes[position] - 0x30)
      // Beyond any field's range; stop before Int could overflow.
      guard value <= 0xFFFF_FFFF else { throw ImageError("invalid \(format): \(name) too large") }
      position += 1
    }
    return value
  }

  // MARK: Rasters

  /// Every plain sample takes at least one byte: a file shorter than that
  /// is truncated, found before allocating for the declared size.
  private func checkPlainLength(_ count: Int, _ what: String) throws(ImageError) {
    guard bytes.count - position >= count else {
      throw ImageError("truncated \(format): \(bytes.count - position) bytes left for \(count) \(what)")
    }
  }

  private mutating func plainBitmap(width: Int, height: Int) throws(ImageError) -> GrayImage {
    let count = width * height
    try checkPlainLength(count, "pixels")
    var pixels = [UInt8](repeating: 0, count: count)
    var index = 0
    // Digits need no separators in P1: "0110" is four pixels.
    while index < count {
      while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
      guard position < bytes.count else {
        throw ImageError("truncated PBM: \(index) of \(count) pixels")
      }
      switch bytes[position] {
      case UInt8(ascii: "0"): pixels[index] = 255
      case UInt8(ascii: "1"): pixels[index] = 0
      default: throw ImageError("invalid PBM: \(describe(bytes[position])) in the raster (only 0 and 1)")
      }
      index += 1
      position += 1
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }

  private func rawBitmap(width: Int, height: Int) throws(ImageError) -> GrayImage {
    let rowBytes = (width + 7) / 8
    let needed = rowBytes * height
    let available = bytes.count - position
    guard available >= needed else {
      throw ImageError("truncated PBM: \(available) of \(needed) raster bytes")
    }
    var pixels = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
      let row = position + y * rowBytes
      for x in 0..<width {
        let bit = bytes[row + x / 8] >> (7 - UInt8(x % 8)) & 1
        pixels[y * width + x] = bit == 1 ? 0 : 255
      }
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }

  private mutating func plainSamples(width: Int, height: Int, maxValue: Int) throws(ImageError) -> GrayImage {
    let count = width * height * channels
    try checkPlainLength(count, "samples")
    let wide = maxValue > 255
    var luminance = Luminance(
      width: width, height: height,
      format: SampleFormat(channels: channels, bytesPerSample: wide ? 2 : 1, maxValue: maxValue))
    // One row of samples at a time, as the other decoders do (see Luminance).
    var row = [UInt8](repeating: 0, count: width * channels * (wide ? 2 : 1))
    var index = 0
    for y in 0..<height {
      for column in 0..<width * channels {
        while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
        guard position < bytes.count else {
          throw ImageError("truncated \(format): \(index) of \(count) samples")
        }
        guard isDigit(bytes[position]) else {
          throw ImageError("invalid \(format): \(describe(bytes[position])) in the raster (only decimal samples)")
        }
        let value = try digits("sample")
        guard value <= maxValue else {
          throw ImageError("invalid \(format): sample \(value) exceeds maxval \(maxValue)")
        }
        if wide {
          row[2 * column] = UInt8(value >> 8)
          row[2 * column + 1] = UInt8(value & 0xFF)
        } else {
          row[column] = UInt8(value)
        }
        index += 1
      }
      row.withUnsafeBufferPointer { luminance.write($0.baseAddress!, count: width, y: y) }
    }
    return luminance.finish()
  }

  private func rawSamples(width: Int, height: Int, maxValue: Int) throws(ImageError) -> GrayImage {
    let bytesPerSample = maxValue > 255 ? 2 : 1
    let count = width * height * channels
    let needed = count * bytesPerSample
    let available = bytes.count - position
    guard available >= needed else {
      throw ImageError("truncated \(format): \(available) of \(needed) raster bytes")
    }
    // Converted in place from the file's bytes, a row at a time: no copy.
    let rowBytes = width * channels * bytesPerSample
    return try bytes.withUnsafeBufferPointer { (file) throws(ImageError) -> GrayImage in
      let samples = file.baseAddress! + position
      if maxValue != 255 && maxValue != 65535 {
        for index in 0..<count {
          let value =
            bytesPerSample == 2 ? Int(samples[2 * index]) << 8 | Int(samples[2 * index + 1]) : Int(samples[index])
          guard value <= maxValue else {
            throw ImageError("invalid \(format): sample \(value) exceeds maxval \(maxValue)")
          }
        }
      }
      var luminance = Luminance(
        width: width, height: height,
        format: SampleFormat(channels: channels, bytesPerSample: bytesPerSample, maxValue: maxValue))
      for y in 0..<height { luminance.write(samples + y * rowBytes, count: width, y: y) }
      return luminance.finish()
    }
  }
}
