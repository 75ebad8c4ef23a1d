import Testing

@testable import DigitInferImage

@Suite struct NetpbmTests {
  func decode(_ text: String, raster: [UInt8] = []) throws(ImageError) -> GrayImage {
    try ImageDecoder.decode(Array(text.utf8) + raster)
  }

  @Test func plainGraymapWithComments() throws {
    let image = try decode("P2\n# made by hand\n3 2 # width height\n# maxval next\n10\n0 5 10\n10 1 9\n")
    #expect(image.width == 3 && image.height == 2)
    // round(v * 255 / 10): 0, 127.5, 255, 255, 25.5, 229.5
    #expect(image.pixels == [0, 128, 255, 255, 26, 230])
  }

  @Test func plainBitmapOneIsBlack() throws {
    // Digits need no separators in P1.
    let image = try decode("P1\n# a comment\n4 2\n0110\n1 0 0 1\n")
    #expect(image.pixels == [255, 0, 0, 255, 0, 255, 255, 0])
  }

  @Test func rawBitmapWithRowPadding() throws {
    // 10 pixels a row: two bytes, the last 6 bits padding (set, to prove
    // they are ignored).
    let image = try decode("P4 10 2\n", raster: [0b1010_0000, 0b0111_1111, 0b0000_0000, 0b1011_1111])
    #expect(image.width == 10 && image.height == 2)
    #expect(image.pixels == [0, 255, 0, 255, 255, 255, 255, 255, 255, 0] + [255, 255, 255, 255, 255, 255, 255, 255, 0, 255])
  }

  @Test func rawGraymap8Bit() throws {
    // The raster may start with a whitespace value (32): exactly one byte
    // ends the header.
    let image = try decode("P5\n4 1\n255\n", raster: [32, 0, 128, 255])
    #expect(image.pixels == [32, 0, 128, 255])
  }

  @Test func rawGraymapScalesSmallMaxval() throws {
    // maxval 100: round(v * 2.55): 0, 25.5, 127.5, 255.
    let image = try decode("P5 4 1 100 ", raster: [0, 10, 50, 100])
    #expect(image.pixels == [0, 26, 128, 255])
  }

  @Test func rawGraymap16BitBigEndian() throws {
    // maxval 65535: v / 257 -> 0.498, 0.502, 100.502, 255.
    let image = try decode("P5\n4 1\n65535\n", raster: [0x00, 0x80, 0x00, 0x81, 0x64, 0xE5, 0xFF, 0xFF])
    #expect(image.pixels == [0, 1, 101, 255])
    // maxval 1000: 500 -> 127.5 -> 128, 999 -> 254.745 -> 255, 2 -> 0.51 -> 1.
    let small = try decode("P5\n3 1\n1000\n", raster: [0x01, 0xF4, 0x03, 0xE7, 0x00, 0x02])
    #expect(small.pixels == [128, 255, 1])
  }

  @Test func pixmapsBecomeLuminance() throws {
    let plain = try decode("P3 3 1 255  255 0 0  0 255 0  100 150 200")
    #expect(plain.pixels == [76, 150, 141])  // 76.245, 149.685, 140.75
    let raw = try decode("P6 3 1 255\n", raster: [255, 0, 0, 0, 255, 0, 100, 150, 200])
    #expect(raw.pixels == [76, 150, 141])
  }

  @Test func malformedHeaders() {
    expectImageError("truncated PGM") { _ = try decode("P5\n4 1\n") }
    expectImageError("maxval 0") { _ = try decode("P2 1 1 0 0") }
    expectImageError("maxval 70000") { _ = try decode("P2 1 1 70000 0") }
    expectImageError("zero width") { _ = try decode("P5 0 4 255\n") }
    expectImageError("expected the height") { _ = try decode("P5 4 x 255\n") }
    expectImageError("after the width") { _ = try decode("P5 4x 4 255\n") }
    expectImageError("too large") { _ = try decode("P5 99999999999 4 255\n") }
    expectImageError("image too large: 100000x100000") { _ = try decode("P5 100000 100000 255\n", raster: [0]) }
    expectImageError("whitespace after the header") { _ = try decode("P5 1 1 255#", raster: [0]) }
  }

  @Test func malformedRasters() {
    expectImageError("truncated PGM: 3 of 4 raster bytes") { _ = try decode("P5 2 2 255\n", raster: [1, 2, 3]) }
    expectImageError("truncated PGM: 7 of 8 raster bytes") {
      _ = try decode("P5 2 2 1000\n", raster: [0, 1, 0, 2, 0, 3, 0])
    }
    expectImageError("truncated PBM") { _ = try decode("P4 9 2\n", raster: [0, 0, 0]) }
    expectImageError("truncated PBM") { _ = try decode("P1 3 3 010 101 01") }
    expectImageError("truncated PPM") { _ = try decode("P3 2 1 255 1 2 3 4 5") }
    expectImageError("sample 11 exceeds maxval 10") { _ = try decode("P2 2 1 10 5 11") }
    expectImageError("sample 200 exceeds maxval 100") { _ = try decode("P5 2 1 100 ", raster: [5, 200]) }
    expectImageError("sample 1001 exceeds maxval 1000") { _ = try decode("P5 1 1 1000 ", raster: [0x03, 0xE9]) }
    expectImageError("'2' in the raster") { _ = try decode("P1 2 1 12") }
    expectImageError("'#' in the raster") { _ = try decode("P2 2 1 10 5 # no\n 6") }
  }
}
