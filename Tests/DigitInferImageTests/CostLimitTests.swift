import Foundation
import Testing

@testable import DigitInferImage

/// Images whose decoding would cost far more than their size suggests:
/// each is refused with a message naming the limit, or decoded within it.
/// Built here at run time, from a few small encodes and byte surgery.
@Suite(.serialized) struct CostLimitTests {
  /// A uniform gray progressive JPEG of `side` x `side` pixels with `scans`
  /// scans: DC, then one AC band per scan (1, 2, ...). libjpeg encodes the
  /// first two; the other bands of an empty image have the same data, so
  /// the second scan is copied with its band changed, which costs nothing
  /// to make however costly it is to decode.
  func scanFlood(side: Int, scans: Int, arithmetic: Bool) throws -> [UInt8] {
    let base = try JPEGEncoder.encode(
      width: side, height: side, components: 1, samples: [UInt8](repeating: 128, count: side * side), quality: 90,
      coding: .init(arithmetic: arithmetic, scans: [(0, 0, 0, 0, 0), (0, 1, 1, 0, 0)]))
    // The second scan, with the tables before it: from the end of the first
    // scan's data to EOI.
    let secondTables = scanEnd(base, from: scanStart(base))
    let tail = Array(base[secondTables..<(base.count - 2)])
    let sos = (0..<tail.count - 1).first { tail[$0] == 0xFF && tail[$0 + 1] == 0xDA }!
    var flood = Array(base[..<(base.count - 2)])
    for band in 2..<scans {
      var copy = tail
      // FFDA, length (2), one component (1), its selector and tables (2), then Ss and Se.
      (copy[sos + 7], copy[sos + 8]) = (UInt8(band), UInt8(band))
      flood += copy
    }
    return flood + [0xFF, 0xD9]
  }

  /// Where the entropy-coded data starting at `start` ends: the next marker
  /// that is neither a stuffed 0xFF nor a restart.
  func scanEnd(_ jpeg: [UInt8], from start: Int) -> Int {
    var at = start
    while !(jpeg[at] == 0xFF && jpeg[at + 1] != 0 && !(0xD0...0xD7).contains(jpeg[at + 1])) { at += 1 }
    return at
  }

  @Test(arguments: [false, true])
  func progressiveScanFloodIsRefused(arithmetic: Bool) throws {
    // 4096x4096 gray: 262,144 blocks a scan. 64 scans are few (the scan
    // limit is 1000) but cover 16.8 million blocks; the 62nd crosses the
    // limit and is refused before its data is decoded.
    let flood = try scanFlood(side: 4096, scans: 64, arithmetic: arithmetic)
    #expect(flood.count < 200_000)
    expectImageError(
      "image too costly to decode: JPEG scans 1 to 62 cover 16252928 coefficient blocks (limit \(ImageDecoder.maxJPEGScanBlocks))"
    ) { _ = try ImageDecoder.decode(flood) }
    // One scan fewer than the limit allows decodes, at half scale: 4096x4096
    // is above 2048x2048.
    let image = try ImageDecoder.decode(try scanFlood(side: 4096, scans: 61, arithmetic: arithmetic))
    #expect(image.width == 2048 && image.height == 2048)
    #expect(image.pixels.allSatisfy { $0 == 128 })
  }

  /// A small progressive JPEG declared 8000x8000 in its frame header: the
  /// coefficient memory follows from the header, and the refusal comes
  /// before any of it is allocated.
  func declaredLarge(components: Int) throws -> [UInt8] {
    var jpeg = try JPEGEncoder.encode(
      width: 16, height: 16, components: components, samples: [UInt8](repeating: 90, count: 16 * 16 * components),
      quality: 90, coding: .init(progressive: true))
    let sof = (0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC2 }!
    for i in [5, 7] { (jpeg[sof + i], jpeg[sof + i + 1]) = (0x1F, 0x40) }  // 8000: height, then width
    return jpeg
  }

  @Test func largeProgressiveCMYKIsRefused() throws {
    // Four full-resolution components: 4 million blocks of 128 bytes.
    expectImageError(
      "image too costly to decode: this 8000x8000 progressive JPEG of 4 components needs 528 MB (limit 200 MB)"
    ) { _ = try ImageDecoder.decode(try declaredLarge(components: 4)) }
    // The usual 4:2:0 colour layout fits at the same size (192 MB): this
    // one goes on to fail on its data, which is that of a 16x16 image.
    let error = expectImageError("JPEG") { _ = try ImageDecoder.decode(try declaredLarge(components: 3)) }
    #expect(error.map { !$0.description.contains("too costly") } ?? false, "\(String(describing: error))")
  }

  @Test func largeBaselineJPEGDecodesAtReducedScale() throws {
    // The pen sample (600x800) enlarged five times, as a 12-megapixel
    // photo: decoded at half scale, it shows the same digit in the same
    // place, scaled by 2.5.
    let sample = try ImageDecoder.decode(contentsOfFile: SampleImageTests.directory + "/pen-on-paper-4.jpg")
    let factor = 5
    let (width, height) = (sample.width * factor, sample.height * factor)
    var large = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
      for x in 0..<width { large[y * width + x] = sample[x / factor, y / factor] }
    }
    let jpeg = try JPEGEncoder.encode(width: width, height: height, components: 1, samples: large, quality: 90)
    let image = try ImageDecoder.decode(jpeg)
    #expect(image.width == 1500 && image.height == 2000)
    let analysis = SampleImageTests()
    let (small, reduced) = (analysis.analyse(sample), analysis.analyse(image))
    #expect(abs(small.background - reduced.background) <= 4, "\(small) \(reduced)")
    for (a, b) in [(small.minX, reduced.minX), (small.minY, reduced.minY), (small.maxX, reduced.maxX), (small.maxY, reduced.maxY)] {
      #expect(abs(Double(b) / 2.5 - Double(a)) <= 3, "\(small) \(reduced)")
    }
  }

  @Test func scaleFollowsTheOutputLimit() throws {
    // 2048x2048 is exactly the limit: full size. One column more: half.
    for (width, expected) in [(2048, (2048, 2048)), (2049, (1025, 1024))] {
      let jpeg = try JPEGEncoder.encode(
        width: width, height: 2048, components: 1, samples: [UInt8](repeating: 200, count: width * 2048), quality: 50)
      let image = try ImageDecoder.decode(jpeg)
      #expect(image.width == expected.0 && image.height == expected.1, "\(image.width)x\(image.height)")
    }
  }

  @Test func sixteenBitRGBAPNGBombDecodesInLittleMemory() throws {
    // 6000x6000 transparent 16-bit RGBA, all zeros: 288 MB of samples
    // (8000x8000 would be 512 MB) from 300 KB of zlib data. Rows are
    // converted as they are decoded, so the decoder holds two bytes per
    // pixel (two papers), 72 MB, where whole-image samples took 324 MB.
    let side = 6000
    let ihdr = bigEndian(UInt32(side)) + bigEndian(UInt32(side)) + [16, 6, 0, 0, 0]
    let png = ImageFormat.pngSignature + PNGChunk.bytes(type: "IHDR", data: ihdr)
      + PNGChunk.bytes(type: "IDAT", data: zlibZeros(rows: side, rowBytes: 1 + 8 * side))
      + PNGChunk.bytes(type: "IEND", data: [])
    #expect(png.count < 2_000_000)
    let image = try ImageDecoder.decode(png)
    // Nothing visible: white paper. The memory it takes is measured on a
    // process of its own (this one runs other tests at the same time):
    // Tests/hostile's test_decompression_bomb_stays_within_256_mb.
    #expect(image.width == side && image.height == side && image.pixels.allSatisfy { $0 == 255 })
  }
}
