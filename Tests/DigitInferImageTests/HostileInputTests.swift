import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferImage

/// A 64x48 noisy RGB image, so that the compressed data is not trivial.
func noisySamples(width: Int = 64, height: Int = 48, channels: Int = 3) -> [UInt8] {
  var random = TestRandom(state: 5)
  return (0..<width * height * channels).map { _ in UInt8(random.below(256)) }
}

func samplePNG() throws -> [UInt8] {
  try PNGEncoder.encode(width: 64, height: 48, colorType: .rgb, bitDepth: 8, samples: noisySamples().map(UInt16.init))
}

func sampleJPEG() throws -> [UInt8] {
  try JPEGEncoder.encode(width: 64, height: 48, components: 3, samples: noisySamples(), quality: 90)
}

/// The offset of the first entropy-coded byte: just past the SOS segment.
func scanStart(_ jpeg: [UInt8]) -> Int {
  var at = 2
  while jpeg[at] == 0xFF {
    let marker = jpeg[at + 1]
    let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
    at += 2 + length
    if marker == 0xDA { return at }
  }
  fatalError("no SOS")
}

@Suite struct HostileInputTests {
  @Test func truncatedJPEGAtEveryStage() throws {
    let jpeg = try sampleJPEG()
    let scan = scanStart(jpeg)
    // Inside the signature, in the headers, at the scan start, mid-scan,
    // and with only the EOI marker missing.
    for cut in [2, 3, 20, 150, scan, scan + 40, (scan + jpeg.count) / 2, jpeg.count - 2] {
      let start = Date()
      expectImageError("truncated JPEG") { _ = try ImageDecoder.decode(Array(jpeg[..<cut])) }
      #expect(Date().timeIntervalSince(start) < 1)
    }
  }

  @Test func truncatedPNGAtEveryStage() throws {
    let png = try samplePNG()
    let idat = chunks(png).first { $0.type == "IDAT" }!
    // Inside the signature, right after it, inside IHDR, before IDAT,
    // inside IDAT, before IEND, inside IEND.
    for cut in [4, 8, 20, idat.offset, idat.offset + 100, png.count - 12, png.count - 1] {
      expectImageError("truncated PNG") { _ = try ImageDecoder.decode(Array(png[..<cut])) }
    }
  }

  @Test func corruptEntropyDataFailsTheJPEG() throws {
    let jpeg = try sampleJPEG()
    // Sixteen one-bits in a row are no Huffman code in any JPEG table, so
    // libjpeg warns and would go on with made-up coefficients.
    var damaged = jpeg
    let middle = (scanStart(jpeg) + jpeg.count) / 2
    for i in stride(from: 0, to: 32, by: 2) {
      damaged[middle + i] = 0xFF
      damaged[middle + i + 1] = 0x00  // the stuffed zero after 0xFF data bytes
    }
    expectImageError("corrupt JPEG") { _ = try ImageDecoder.decode(damaged) }
    // A stray marker inside the scan ends the data segment early.
    var marked = jpeg
    marked[middle] = 0xFF
    marked[middle + 1] = 0xD9
    expectImageError("corrupt JPEG") { _ = try ImageDecoder.decode(marked) }
  }

  @Test func badIDATChecksumFailsThePNG() throws {
    let png = try samplePNG()
    let idat = chunks(png).first { $0.type == "IDAT" }!
    var damaged = png
    damaged[idat.offset + 8 + idat.data.count] ^= 0x01  // first CRC byte
    expectImageError("corrupt PNG: IDAT: CRC error") { _ = try ImageDecoder.decode(damaged) }
    // Damage inside the compressed data, with the CRC made to match: zlib
    // finds it instead.
    var data = idat.data
    for i in 10..<40 { data[i] ^= 0x5A }
    let recrc = Array(png[..<idat.offset]) + PNGChunk.bytes(type: "IDAT", data: data)
      + Array(png[(idat.offset + 12 + idat.data.count)...])
    expectImageError("invalid PNG") { _ = try ImageDecoder.decode(recrc) }
  }

  @Test func damagedAncillaryChunkFailsThePNG() throws {
    let png = try samplePNG()
    var text = PNGChunk.bytes(type: "tEXt", data: Array("Comment\0hello".utf8))
    text[text.count - 1] ^= 0xFF
    // libpng only warns about this one and would decode the image.
    expectImageError("corrupt PNG") { _ = try ImageDecoder.decode(inserting(text, before: "IDAT", in: png)) }
  }

  @Test func colourProfileChunksAreNotRead() throws {
    // An iCCP chunk whose "profile" is not even valid zlib data, and a
    // gAMA of zero: libpng complains about both when it reads them. The
    // decoder uses raw samples and skips such chunks, so the image is fine.
    let png = try samplePNG()
    let iccp = PNGChunk.bytes(type: "iCCP", data: Array("bogus\0".utf8) + [0] + [1, 2, 3, 4, 5])
    let gama = PNGChunk.bytes(type: "gAMA", data: [0, 0, 0, 0])
    let odd = inserting(iccp + gama, before: "IDAT", in: png)
    #expect(try ImageDecoder.decode(odd) == ImageDecoder.decode(png))
  }

  @Test func hugeDeclaredPNGFailsFast() throws {
    let png = try PNGEncoder.encode(width: 1, height: 1, colorType: .gray, bitDepth: 8, samples: [0])
    let ihdr = chunks(png).first { $0.type == "IHDR" }!
    let data = bigEndian(100_000) + bigEndian(100_000) + Array(ihdr.data[8...])
    let huge = Array(png[..<ihdr.offset]) + PNGChunk.bytes(type: "IHDR", data: data) + Array(png[(ihdr.offset + 25)...])
    let start = Date()
    // 10 GB of pixels had they been allocated.
    expectImageError("image too large: 100000x100000 pixels (limit 64000000)") { _ = try ImageDecoder.decode(huge) }
    #expect(Date().timeIntervalSince(start) < 0.5)
  }

  @Test func hugeDeclaredJPEGFailsFast() throws {
    // JPEG sizes are 16-bit, and libjpeg stops at 65500: 65500x65500 (4.3
    // gigapixels) is the largest header it reads.
    var jpeg = try JPEGEncoder.encode(width: 8, height: 8, components: 1, samples: [UInt8](repeating: 9, count: 64), quality: 90)
    let sof = (0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }!
    for i in [5, 7] { (jpeg[sof + i], jpeg[sof + i + 1]) = (0xFF, 0xDC) }  // height, then width, after length and precision
    let start = Date()
    expectImageError("image too large: 65500x65500 pixels") { _ = try ImageDecoder.decode(jpeg) }
    #expect(Date().timeIntervalSince(start) < 0.5)
  }

  @Test func notImages() {
    expectImageError("empty input") { _ = try ImageDecoder.decode([]) }
    expectImageError("not an image") { _ = try ImageDecoder.decode(Array("hello, world\nsecond line\n".utf8)) }
    expectImageError("not an image") { _ = try ImageDecoder.decode([0]) }
    expectImageError("unsupported image format: GIF") { _ = try ImageDecoder.decode(Array("GIF89a\u{1}\u{0}".utf8)) }
    // A PNG signature followed by no IHDR, or by no chunk at all.
    expectImageError("invalid PNG") {
      _ = try ImageDecoder.decode(ImageFormat.pngSignature + PNGChunk.bytes(type: "IEND", data: []))
    }
    expectImageError("invalid PNG") { _ = try ImageDecoder.decode(ImageFormat.pngSignature + Array("hello, world".utf8)) }
    // A JPEG with no frame, just SOI and EOI after a harmless segment.
    expectImageError("JPEG") { _ = try ImageDecoder.decode([0xFF, 0xD8, 0xFF, 0xD9]) }
  }

  @Test func files() throws {
    try withTemporaryDirectory { dir in
      let png = try samplePNG()
      writeBytes(png, to: dir + "/good.png")
      #expect(try ImageDecoder.decode(contentsOfFile: dir + "/good.png") == ImageDecoder.decode(png))
      expectImageError("no such file") { _ = try ImageDecoder.decode(contentsOfFile: dir + "/missing.png") }
      expectImageError("no such file") { _ = try ImageDecoder.decode(contentsOfFile: dir + "/good.png/x") }
      expectImageError("is a directory") { _ = try ImageDecoder.decode(contentsOfFile: dir) }
      writeBytes([], to: dir + "/empty.png")
      expectImageError("empty file") { _ = try ImageDecoder.decode(contentsOfFile: dir + "/empty.png") }
      writeBytes(Array("just text\n".utf8), to: dir + "/notes.txt")
      expectImageError("not an image") { _ = try ImageDecoder.decode(contentsOfFile: dir + "/notes.txt") }
      // The size limit, scaled down: checked from the size, before reading.
      expectImageError("file too large: \(png.count) bytes") {
        _ = try FileReading.contents(of: dir + "/good.png", limit: 1 << 10)
      }
      if getuid() != 0 {
        writeBytes(png, to: dir + "/locked.png")
        chmod(dir + "/locked.png", 0)
        expectImageError("permission denied") { _ = try ImageDecoder.decode(contentsOfFile: dir + "/locked.png") }
      }
    }
  }
}
