import Testing

@testable import DigitInferImage

@Suite struct PNGDecodingTests {
  /// Every colour type and bit depth PNG allows, plain and Adam7
  /// interlaced, with and without tRNS, on random samples: the decoded
  /// pixels must equal the floating-point reference exactly.
  static let configurations: [(PNGEncoder.ColorType, Int, transparency: Bool)] =
    PNGEncoder.ColorType.allCases.flatMap { type in
      type.bitDepths.flatMap { depth in
        [(type, depth, false)] + (type == .gray || type == .rgb || type == .palette ? [(type, depth, true)] : [])
      }
    }

  @Test(arguments: configurations, [false, true])
  func everyColorTypeAndBitDepth(
    configuration: (PNGEncoder.ColorType, Int, transparency: Bool), interlaced: Bool
  ) throws {
    let (type, depth, transparency) = configuration
    var random = TestRandom(state: UInt64(type.rawValue * 100 + depth))
    // 13x11: odd sizes leave partial Adam7 blocks and partly used bytes
    // at low bit depths.
    var test = PNGCase(width: 13, height: 11, colorType: type, bitDepth: depth, samples: [], interlaced: interlaced)
    let maxSample = (1 << depth) - 1
    if type == .palette {
      let entries = 1 << depth
      test.palette = (0..<3 * entries).map { _ in UInt8(random.below(256)) }
      if transparency { test.paletteAlpha = (0..<(entries + 1) / 2).map { _ in UInt8(random.below(256)) } }
      test.samples = (0..<13 * 11).map { _ in UInt16(random.below(entries)) }
    } else {
      test.samples = (0..<13 * 11 * type.channels).map { _ in UInt16(random.below(maxSample + 1)) }
      if transparency {
        // A colour that occurs: the first pixel's.
        test.transparentColor = Array(test.samples[0..<type.channels])
      }
    }
    let image = try ImageDecoder.decode(try test.encode())
    #expect(image.width == 13 && image.height == 11)
    let expected = test.expected()
    for (index, (pixel, allowed)) in zip(image.pixels, expected).enumerated() where !allowed.contains(pixel) {
      Issue.record("pixel \(index): \(pixel), expected \(allowed)")
      break
    }
  }

  @Test func knownColorsHaveHandComputedLuminance() throws {
    let colors: [[UInt16]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [100, 150, 200], [10, 20, 30]]
    // 0.299 R + 0.587 G + 0.114 B: 76.245, 149.685, 29.07, 255, 140.75, 18.15
    let expected: [UInt8] = [76, 150, 29, 255, 141, 18]
    let png = try PNGEncoder.encode(width: 6, height: 1, colorType: .rgb, bitDepth: 8, samples: colors.flatMap { $0 })
    #expect(try ImageDecoder.decode(png).pixels == expected)
    // The same colours at 16 bits (v * 257 is the same intensity).
    let wide = try PNGEncoder.encode(
      width: 6, height: 1, colorType: .rgb, bitDepth: 16, samples: colors.flatMap { $0 }.map { $0 * 257 })
    #expect(try ImageDecoder.decode(wide).pixels == expected)
  }

  @Test func sixteenBitSamplesRoundToNearest() throws {
    // v / 257: 0.498, 0.502, 100.498, 100.502, 254.498, 254.502 and the ends.
    let samples: [UInt16] = [128, 129, 25828, 25829, 65406, 65407, 0, 65535]
    let png = try PNGEncoder.encode(width: 8, height: 1, colorType: .gray, bitDepth: 16, samples: samples)
    // Taking the high byte would give 0, 0, 100, 100, 254, 254.
    #expect(try ImageDecoder.decode(png).pixels == [0, 1, 100, 101, 254, 255, 0, 255])
  }

  @Test func lowBitGrayScalesToFullRange() throws {
    for (depth, values, expected) in [
      (1, [0, 1] as [UInt16], [0, 255] as [UInt8]),
      (2, [0, 1, 2, 3], [0, 85, 170, 255]),
      (4, [0, 1, 7, 15], [0, 17, 119, 255]),
    ] {
      let png = try PNGEncoder.encode(
        width: values.count, height: 1, colorType: .gray, bitDepth: depth, samples: values)
      #expect(try ImageDecoder.decode(png).pixels == expected, "\(depth)-bit")
    }
  }

  @Test func interlacedMatchesPlain() throws {
    var random = TestRandom(state: 9)
    let samples = (0..<37 * 29 * 3).map { _ in UInt16(random.below(256)) }
    let plain = try PNGEncoder.encode(width: 37, height: 29, colorType: .rgb, bitDepth: 8, samples: samples)
    let interlaced = try PNGEncoder.encode(
      width: 37, height: 29, colorType: .rgb, bitDepth: 8, samples: samples, interlaced: true)
    #expect(plain != interlaced)
    #expect(try ImageDecoder.decode(plain) == ImageDecoder.decode(interlaced))
  }
}

@Suite struct AlphaCompositingTests {
  /// A 4x1 gray+alpha row: an opaque stroke, a half-covered edge, and two
  /// transparent pixels whose stored gray is the given value.
  func decodeRow(stroke: UInt16, hidden: UInt16) throws -> [UInt8] {
    let samples: [UInt16] = [stroke, 255, stroke, 128, hidden, 0, hidden, 0]
    let png = try PNGEncoder.encode(width: 4, height: 1, colorType: .grayAlpha, bitDepth: 8, samples: samples)
    return try ImageDecoder.decode(png).pixels
  }

  @Test func darkStrokesOnTransparencyGetWhitePaper() throws {
    // Edge: 0 * 128/255 + 255 * 127/255 = 127. The hidden colour is irrelevant.
    #expect(try decodeRow(stroke: 0, hidden: 0) == [0, 127, 255, 255])
    #expect(try decodeRow(stroke: 0, hidden: 255) == [0, 127, 255, 255])
  }

  @Test func lightStrokesOnTransparencyGetBlackPaper() throws {
    // Edge: 255 * 128/255 = 128.
    #expect(try decodeRow(stroke: 255, hidden: 0) == [255, 128, 0, 0])
    #expect(try decodeRow(stroke: 255, hidden: 255) == [255, 128, 0, 0])
  }

  @Test func paperFollowsTheAlphaWeightedMean() throws {
    // Visible: luma 200 at full alpha and luma 20 at alpha 51 (0.2):
    // mean (200 + 0.2 * 20) / 1.2 = 170 > 127.5, so black paper, although
    // the plain mean of the two colours, 110, is dark.
    let samples: [UInt16] = [200, 200, 200, 255, 20, 20, 20, 51, 0, 0, 0, 0]
    let png = try PNGEncoder.encode(width: 3, height: 1, colorType: .rgba, bitDepth: 8, samples: samples)
    // 20 * 0.2 = 4 on black paper.
    #expect(try ImageDecoder.decode(png).pixels == [200, 4, 0])
  }

  @Test func fullyTransparentImageIsUniformPaper() throws {
    let samples = [UInt16](repeating: 0, count: 5 * 4 * 4)
    let png = try PNGEncoder.encode(width: 5, height: 4, colorType: .rgba, bitDepth: 8, samples: samples)
    #expect(try ImageDecoder.decode(png).pixels == [UInt8](repeating: 255, count: 20))
  }

  @Test func paletteTransparency() throws {
    // Entry 0 black and transparent, 1 dark blue opaque, 2 white opaque.
    let png = try PNGEncoder.encode(
      width: 3, height: 1, colorType: .palette, bitDepth: 2, samples: [0, 1, 2],
      palette: [0, 0, 0, 0, 0, 120, 255, 255, 255], paletteAlpha: [0])
    // Visible mean (13.68 + 255) / 2 > 127.5: black paper. 0.114 * 120 = 13.68.
    #expect(try ImageDecoder.decode(png).pixels == [0, 14, 255])
  }

  @Test func grayTransparentColorBecomesPaper() throws {
    // Black is transparent; the strokes of gray 30 are dark, so white paper.
    let png = try PNGEncoder.encode(
      width: 4, height: 1, colorType: .gray, bitDepth: 8, samples: [0, 30, 0, 30], transparentColor: [0])
    #expect(try ImageDecoder.decode(png).pixels == [255, 30, 255, 30])
  }

  @Test func sixteenBitAlphaKeepsPrecision() throws {
    // Gray 65535 at alpha 32768 over black paper (the only visible pixel is
    // white): 255 * 32768 / 65535 = 127.502, so 128; an 8-bit alpha
    // (128/255) would give the same, but 32767 gives 127.498, so 127.
    let png = try PNGEncoder.encode(
      width: 3, height: 1, colorType: .grayAlpha, bitDepth: 16, samples: [65535, 32768, 65535, 32767, 0, 0])
    #expect(try ImageDecoder.decode(png).pixels == [128, 127, 0])
  }
}
