import CZlib
import Foundation
import Testing

@testable import DigitInferData

/// The real sets in ../shared/data, checked against shared/data/README.md.
@Suite(.enabled(if: SharedData.root != nil, "../shared/data not found beside the checkout; real-data tests skipped"))
struct RealDataTests {
  @Test func mnistTrain() throws {
    let dir = try MNIST.directory(flag: SharedData.mnist)
    let start = Date()
    let train = try MNIST.train(in: dir)
    print("MNIST train loaded in \(Int(Date().timeIntervalSince(start) * 1000)) ms")
    #expect(train.count == 60000 && train.rows == 28 && train.columns == 28)
    #expect(train.pixels.count == 47_040_000)
    #expect(train.labelCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    #expect(train.pixels.contains(255) && train.pixels.contains(0))
    // The whole uncompressed label file, header rebuilt, against the README's md5.
    #expect(md5Hex(idxHeader(magic: 0x801, [60000]) + train.labels) == "a25bea736e30d166cdddb491f175f624")
    // The pixels by CRC-32 (fast, unlike a debug-built MD5 of 47 MB). The
    // value was established with
    //   python3 -c "import gzip,zlib; print(hex(zlib.crc32(gzip.open('train-images-idx3-ubyte.gz').read()[16:])))"
    // on the files whose md5 matches the README.
    #expect(crc32(train.pixels) == 0xf363_9b56)
  }

  @Test func mnistTest() throws {
    let dir = try MNIST.directory(flag: SharedData.mnist)
    let test = try MNIST.test(in: dir)
    #expect(test.count == 10000 && test.rows == 28 && test.columns == 28)
    #expect(md5Hex(idxHeader(magic: 0x801, [10000]) + test.labels) == "27ae3e4e09519cfbb04c329615203637")
    // As above, with t10k-images-idx3-ubyte.gz.
    #expect(crc32(test.pixels) == 0xe4ca_5f57)
  }

  @Test func semeion() throws {
    let dir = SharedData.external! + "/semeion/"
    let set = try IDX.readSet(
      images: dir + "semeion-images-idx3-ubyte.gz", labels: dir + "semeion-labels-idx1-ubyte.gz", name: "semeion")
    #expect(set.count == 1593 && set.rows == 16 && set.columns == 16)
    #expect(set.labelCounts == [161, 162, 159, 159, 161, 159, 161, 158, 155, 158])
  }

  @Test func optdigitsWriterIndependent() throws {
    let dir = SharedData.external! + "/optdigits_32x32/"
    let set = try IDX.readSet(
      images: dir + "optdigits-windep-images-idx3-ubyte.gz", labels: dir + "optdigits-windep-labels-idx1-ubyte.gz",
      name: "optdigits-windep")
    #expect(set.count == 1797 && set.rows == 32 && set.columns == 32)
    #expect(set.labelCounts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
  }

  private func crc32(_ bytes: [UInt8]) -> UInt {
    bytes.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) }
  }
}

@Suite struct MD5Tests {
  /// RFC 1321's test suite, so that a broken MD5 cannot hide a data error.
  @Test func md5MatchesKnownDigests() {
    #expect(md5Hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
    #expect(md5Hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(
      md5Hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
        == "57edf4a22be3c955ac49da2e2107b67a")
  }
}
