import Testing

@testable import DigitInferImage

/// `jpeg` with an APP1 segment holding `payload` right after SOI.
func insertingAPP1(_ payload: [UInt8], into jpeg: [UInt8]) -> [UInt8] {
  let length = payload.count + 2
  return Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(jpeg[2...])
}

/// A 24x16 gray image, mid-gray, with its stored top-left 8x8 block black
/// and its stored top-right block white, so that every orientation puts
/// the two marks in different places.
func markedImage() -> [UInt8] {
  (0..<16).flatMap { y in
    (0..<24).map { x -> UInt8 in
      if y < 8 && x < 8 { return 0 }
      if y < 8 && x >= 16 { return 255 }
      return 128
    }
  }
}

enum Corner { case topLeft, topRight, bottomLeft, bottomRight }

/// A pixel inside the 8x8 block at `corner`.
func pixel(_ image: GrayImage, _ corner: Corner) -> UInt8 {
  switch corner {
  case .topLeft: image[3, 3]
  case .topRight: image[image.width - 4, 3]
  case .bottomLeft: image[3, image.height - 4]
  case .bottomRight: image[image.width - 4, image.height - 4]
  }
}

@Suite struct JPEGDecodingTests {
  @Test func grayGradientIsCloseToTheSource() throws {
    let samples = (0..<32).flatMap { y in (0..<48).map { x in UInt8((x * 5 + y * 2) % 256) } }
    let jpeg = try JPEGEncoder.encode(width: 48, height: 32, components: 1, samples: samples, quality: 100)
    let image = try ImageDecoder.decode(jpeg)
    #expect(image.width == 48 && image.height == 32)
    let worst = zip(image.pixels, samples).map { abs(Int($0) - Int($1)) }.max()!
    #expect(worst <= 3)
  }

  @Test func colorBlocksHaveTheirLuminance() throws {
    // 16x16 blocks, one 4:2:0 MCU each, so chroma does not bleed between them.
    let colors: [[UInt8]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 150, 200]]
    let expected = [76, 150, 29, 141]  // 76.245, 149.685, 29.07, 140.75
    try expectBlocks(colors, decodeTo: expected)
  }

  @Test func adobeCMYKIsInverted() throws {
    // Stored inverted as Adobe writes it: 255 = no ink.
    // No ink: white. Full black ink: 0. Full cyan: R 0, G 255, B 255 ->
    // 0.587 * 255 + 0.114 * 255 = 178.755.
    let inks: [[UInt8]] = [[255, 255, 255, 255], [255, 255, 255, 0], [0, 255, 255, 255]]
    let expected = [255, 0, 179]
    try expectBlocks(inks, decodeTo: expected)
  }

  /// Encodes a row of 16x16 blocks of one pixel value each (quality 95) and
  /// expects each block's centre to decode to its luminance, within 3.
  func expectBlocks(_ pixels: [[UInt8]], decodeTo expected: [Int]) throws {
    let width = 16 * pixels.count
    let samples = (0..<16).flatMap { _ in (0..<width).flatMap { x in pixels[x / 16] } }
    let jpeg = try JPEGEncoder.encode(width: width, height: 16, components: pixels[0].count, samples: samples, quality: 95)
    let image = try ImageDecoder.decode(jpeg)
    for (block, luma) in expected.enumerated() {
      let value = Int(image[block * 16 + 8, 8])
      #expect(abs(value - luma) <= 3, "block \(block): \(value), expected \(luma)")
    }
  }

  /// Where the stored top-left and top-right marks belong, from the Exif
  /// definition of each value ("row 0 is the visual top, column 0 the
  /// visual left" for 1, and so on).
  static let orientations: [(Int, topLeft: Corner, topRight: Corner)] = [
    (1, .topLeft, .topRight),
    (2, .topRight, .topLeft),
    (3, .bottomRight, .bottomLeft),
    (4, .bottomLeft, .bottomRight),
    (5, .topLeft, .bottomLeft),
    (6, .topRight, .bottomRight),
    (7, .bottomRight, .topRight),
    (8, .bottomLeft, .topLeft),
  ]

  @Test(arguments: orientations)
  func exifOrientation(_ orientation: (Int, topLeft: Corner, topRight: Corner)) throws {
    let jpeg = try JPEGEncoder.encode(
      width: 24, height: 16, components: 1, samples: markedImage(), quality: 95, exifOrientation: orientation.0)
    let image = try ImageDecoder.decode(jpeg)
    let swapped = orientation.0 >= 5
    #expect(image.width == (swapped ? 16 : 24) && image.height == (swapped ? 24 : 16))
    #expect(pixel(image, orientation.topLeft) < 30, "black mark")
    #expect(pixel(image, orientation.topRight) > 225, "white mark")
  }

  @Test func littleEndianExifAmongOtherTags() throws {
    let plain = try JPEGEncoder.encode(width: 24, height: 16, components: 1, samples: markedImage(), quality: 95)
    // "II", 42, IFD0 at 8; two entries: Make (ASCII "ab\0" inline), then
    // Orientation = 6; no next IFD.
    let exif: [UInt8] =
      Array("Exif".utf8) + [0, 0] + [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00] + [0x02, 0x00]
      + [0x0F, 0x01, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x61, 0x62, 0x00, 0x00]
      + [0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00] + [0, 0, 0, 0]
    let image = try ImageDecoder.decode(insertingAPP1(exif, into: plain))
    #expect(image.width == 16 && image.height == 24)
    #expect(pixel(image, .topRight) < 30)
    #expect(pixel(image, .bottomRight) > 225)
  }

  @Test func malformedExifIsIgnored() throws {
    let plain = try JPEGEncoder.encode(width: 24, height: 16, components: 1, samples: markedImage(), quality: 95)
    let header = Array("Exif".utf8) + [0, 0] as [UInt8]
    let orientationEntry: [UInt8] = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00]
    let broken: [[UInt8]] = [
      header,  // nothing after the header
      header + [0x4D, 0x4D, 0x00, 0x2A, 0x7F, 0xFF, 0xFF, 0xFF],  // IFD0 far outside the block
      header + [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05] + orientationEntry,  // 5 entries, 1 present
      header + [0x58, 0x58, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01] + orientationEntry,  // no byte order
      header + [0x4D, 0x4D, 0x00, 0x2B, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01] + orientationEntry,  // not 42
      header + [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01]
        + [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00],  // orientation 9
      header + [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01]
        + [0x01, 0x12, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06],  // LONG, not SHORT
    ]
    for exif in broken {
      let image = try ImageDecoder.decode(insertingAPP1(exif, into: plain))
      #expect(image.width == 24 && image.height == 16, "\(exif)")
      #expect(pixel(image, .topLeft) < 30)
    }
    // The well-formed version of the third block does rotate.
    let good = header + [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01] + orientationEntry + [0, 0, 0, 0]
    #expect(try ImageDecoder.decode(insertingAPP1(good, into: plain)).width == 16)
  }

  @Test func encoderRejectsBadArguments() {
    expectImageError("components") {
      _ = try JPEGEncoder.encode(width: 2, height: 2, components: 2, samples: [0, 0, 0, 0, 0, 0, 0, 0], quality: 90)
    }
    expectImageError("samples") {
      _ = try JPEGEncoder.encode(width: 2, height: 2, components: 1, samples: [0], quality: 90)
    }
    expectImageError("quality") {
      _ = try JPEGEncoder.encode(width: 1, height: 1, components: 1, samples: [0], quality: 0)
    }
    expectImageError("orientation") {
      _ = try JPEGEncoder.encode(width: 1, height: 1, components: 1, samples: [0], quality: 90, exifOrientation: 9)
    }
  }
}
