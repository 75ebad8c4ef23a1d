import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

/// Every way a data file can be wrong ends in a DataError that names it.
@Suite struct MalformedFileTests {
  let content = idxHeader(magic: 0x803, [3, 4, 4]) + [UInt8](repeating: 200, count: 48)
  /// Enough varied bytes for a deflate stream with some length to it.
  let longer = idxHeader(magic: 0x803, [3, 10, 10]) + (0..<300).map { UInt8(truncatingIfNeeded: $0 * $0 / 7) }

  /// Writes `bytes` plain to `name` and gzip'd to `name.gz`, returning both paths.
  func both(_ bytes: [UInt8], _ dir: String, _ name: String) throws -> [String] {
    let plain = dir + "/" + name, gz = plain + ".gz"
    writeBytes(bytes, to: plain)
    writeBytes(try Gzip.compress(bytes, path: gz), to: gz)
    return [plain, gz]
  }

  @Test func missingFile() {
    let path = "/nonexistent/train-images-idx3-ubyte"
    expectDataError(path, "cannot open") { _ = try IDX.readImages(path) }
    expectDataError(path, "No such file") { _ = try IDX.readLabels(path) }
  }

  @Test func directoryInsteadOfFile() throws {
    try withTemporaryDirectory { dir in
      expectDataError(dir, "not a regular file") { _ = try IDX.readImages(dir) }
    }
  }

  @Test func emptyFile() throws {
    try withTemporaryDirectory { dir in
      let path = dir + "/empty"
      writeBytes([], to: path)
      expectDataError(path, "empty file") { _ = try IDX.readImages(path) }
      expectDataError(path, "empty file") { _ = try IDX.readLabels(path) }
      // A valid gzip stream of nothing.
      let gz = dir + "/empty.gz"
      writeBytes(try Gzip.compress([], path: gz), to: gz)
      expectDataError(gz, "no data") { _ = try IDX.readImages(gz) }
    }
  }

  @Test func truncatedHeader() throws {
    try withTemporaryDirectory { dir in
      for path in try both(Array(content[..<10]), dir, "short") {
        expectDataError(path, "truncated header: 10 of 16") { _ = try IDX.readImages(path) }
      }
      for path in try both([0, 0, 8], dir, "tiny") {
        expectDataError(path, "truncated header: 3 of 16") { _ = try IDX.readImages(path) }
      }
      for path in try both(Array(idxHeader(magic: 0x801, [5]).prefix(6)), dir, "labels") {
        expectDataError(path, "truncated header: 6 of 8") { _ = try IDX.readLabels(path) }
      }
    }
  }

  @Test func truncatedData() throws {
    try withTemporaryDirectory { dir in
      for path in try both(Array(content.dropLast(8)), dir, "cut") {
        expectDataError(path, "truncated data") { _ = try IDX.readImages(path) }
      }
      for path in try both(idxHeader(magic: 0x801, [10]) + [1, 2, 3], dir, "labels") {
        expectDataError(path, "truncated data") { _ = try IDX.readLabels(path) }
      }
    }
  }

  @Test func trailingBytes() throws {
    try withTemporaryDirectory { dir in
      for path in try both(content + [0, 0, 0, 0, 0], dir, "long") {
        expectDataError(path, "trailing data") { _ = try IDX.readImages(path) }
      }
      for path in try both(idxHeader(magic: 0x801, [2]) + [1, 2, 3], dir, "labels") {
        expectDataError(path, "trailing data") { _ = try IDX.readLabels(path) }
      }
    }
  }

  @Test func wrongMagic() throws {
    try withTemporaryDirectory { dir in
      var bytes = content
      bytes[3] = 4  // four dimensions
      for path in try both(bytes, dir, "dims") {
        expectDataError(path, "bad magic 0x00000804") { _ = try IDX.readImages(path) }
      }
      bytes[3] = 3
      bytes[2] = 0x0D  // float elements
      for path in try both(bytes, dir, "float") {
        expectDataError(path, "bad magic 0x00000D03") { _ = try IDX.readImages(path) }
      }
      for path in try both(Array("this is not an IDX file at all".utf8), dir, "text") {
        expectDataError(path, "bad magic") { _ = try IDX.readImages(path) }
        expectDataError(path, "bad magic") { _ = try IDX.readLabels(path) }
      }
    }
  }

  @Test func labelsGivenAsImagesAndTheReverse() throws {
    try withTemporaryDirectory { dir in
      let set = sampleSet()
      try IDX.write(images: set, imagesPath: dir + "/i", labelsPath: dir + "/l", gzip: true)
      expectDataError(dir + "/l", "is an IDX labels file") { _ = try IDX.readImages(dir + "/l") }
      expectDataError(dir + "/i", "is an IDX images file") { _ = try IDX.readLabels(dir + "/i") }
      expectDataError(dir + "/l", "is an IDX labels file") {
        _ = try IDX.readSet(images: dir + "/l", labels: dir + "/l", name: "swapped")
      }
      expectDataError(dir + "/i", "is an IDX images file") {
        _ = try IDX.readSet(images: dir + "/i", labels: dir + "/i", name: "swapped")
      }
    }
  }

  @Test func corruptDeflateStream() throws {
    try withTemporaryDirectory { dir in
      let path = dir + "/corrupt.gz"
      let gz = try Gzip.compress(longer, path: path)
      // One byte in the middle of the deflate data.
      var bytes = gz
      bytes[10 + (gz.count - 18) / 2] ^= 0xff
      writeBytes(bytes, to: path)
      expectDataError(path, "gzip") { _ = try IDX.readImages(path) }
      // Every byte of the deflate data (between the 10-byte header and the
      // 8-byte trailer), in turn: always a DataError, never garbage or a crash.
      for offset in 10..<(gz.count - 8) {
        var flipped = gz
        flipped[offset] ^= 0xff
        writeBytes(flipped, to: path)
        #expect(throws: DataError.self, "flipped byte \(offset)") { _ = try IDX.readImages(path) }
      }
    }
  }

  @Test func checksumAndLengthErrors() throws {
    try withTemporaryDirectory { dir in
      let path = dir + "/check.gz"
      let gz = try Gzip.compress(content, path: path)
      var badCRC = gz
      badCRC[gz.count - 8] ^= 0x01
      writeBytes(badCRC, to: path)
      expectDataError(path, "incorrect data check") { _ = try IDX.readImages(path) }
      var badLength = gz
      badLength[gz.count - 4] ^= 0x01
      writeBytes(badLength, to: path)
      expectDataError(path, "incorrect length check") { _ = try IDX.readImages(path) }
      var badHeader = gz
      badHeader[2] = 7  // compression method other than deflate
      writeBytes(badHeader, to: path)
      expectDataError(path, "corrupt gzip") { _ = try IDX.readImages(path) }
    }
  }

  @Test func truncatedGzip() throws {
    try withTemporaryDirectory { dir in
      let path = dir + "/cut.gz"
      let gz = try Gzip.compress(longer, path: path)
      // Inside the deflate data, then just the trailer missing.
      for keep in [gz.count / 2, gz.count - 8, gz.count - 1] {
        writeBytes(Array(gz.prefix(keep)), to: path)
        expectDataError(path, "truncated") { _ = try IDX.readImages(path) }
      }
      writeBytes(Array(gz.prefix(1)), to: path)  // not even the gzip magic
      expectDataError(path, "truncated header: 1 of 16") { _ = try IDX.readImages(path) }
    }
  }

  @Test func garbageAfterGzipStream() throws {
    try withTemporaryDirectory { dir in
      let path = dir + "/garbage.gz"
      writeBytes(try Gzip.compress(content, path: path) + Array("junk".utf8), to: path)
      expectDataError(path, "garbage after the end of the gzip stream") { _ = try IDX.readImages(path) }
    }
  }

  @Test func countMismatch() throws {
    try withTemporaryDirectory { dir in
      try IDX.write(images: sampleSet(count: 3), imagesPath: dir + "/i", labelsPath: dir + "/l3", gzip: false)
      try IDX.write(images: sampleSet(count: 4), imagesPath: dir + "/i4", labelsPath: dir + "/l", gzip: true)
      expectDataError(dir + "/l", "holds 4 labels but \(dir)/i holds 3 images") {
        _ = try IDX.readSet(images: dir + "/i", labels: dir + "/l", name: "mismatch")
      }
    }
  }

  @Test func labelTen() throws {
    try withTemporaryDirectory { dir in
      try IDX.write(images: sampleSet(count: 3), imagesPath: dir + "/i", labelsPath: dir + "/unused", gzip: false)
      for path in try both(idxHeader(magic: 0x801, [3]) + [9, 10, 0], dir, "l") {
        // readLabels returns the bytes as they are; the set rejects them.
        #expect(try IDX.readLabels(path) == [9, 10, 0])
        expectDataError(path, "label 10 at index 1 is not a digit") {
          _ = try IDX.readSet(images: dir + "/i", labels: path, name: "ten")
        }
      }
    }
  }

  @Test func absurdDimensionsAreRejectedBeforeAllocating() throws {
    try withTemporaryDirectory { dir in
      // 2^31 images of 28x28 = 1.7 TB, in a 16-byte file.
      for path in try both(idxHeader(magic: 0x803, [1 << 31, 28, 28]), dir, "huge") {
        expectDataError(path, "2147483648x28x28 bytes, over the 512 MiB limit") { _ = try IDX.readImages(path) }
      }
      // Products that overflow 64 bits.
      for path in try both(idxHeader(magic: 0x803, [.max, .max, .max]), dir, "overflow") {
        expectDataError(path, "over the 512 MiB limit") { _ = try IDX.readImages(path) }
      }
      for path in try both(idxHeader(magic: 0x801, [.max]), dir, "labels") {
        expectDataError(path, "over the 512 MiB limit") { _ = try IDX.readLabels(path) }
      }
      // Just over a small limit fails; at the limit succeeds.
      let path = dir + "/limit"
      writeBytes(content, to: path)
      expectDataError(path, "3x4x4 bytes, over the 0 MiB limit") { _ = try IDX.readImages(path, limit: 47) }
      #expect(try IDX.readImages(path, limit: 48).count == 3)
    }
  }

  @Test func emptyImageSize() throws {
    try withTemporaryDirectory { dir in
      for path in try both(idxHeader(magic: 0x803, [5, 0, 28]), dir, "flat") {
        expectDataError(path, "image size 0x28 is empty") { _ = try IDX.readImages(path) }
      }
    }
  }
}
