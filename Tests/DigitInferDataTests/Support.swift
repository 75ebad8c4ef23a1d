import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

func writeBytes(_ bytes: [UInt8], to path: String) {
  try! Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readBytes(_ path: String) -> [UInt8] {
  [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path)))
}

/// IDX header bytes, written out by hand so that the tests do not trust the
/// writer under test.
func idxHeader(magic: UInt32, _ dims: [UInt32]) -> [UInt8] {
  ([magic] + dims).flatMap { v in [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
}

/// A set with every pixel value and a non-square image size, so that a
/// rows/columns swap or an off-by-one shows.
func sampleSet(count: Int = 7, rows: Int = 5, columns: Int = 3, seed: UInt64 = 1) -> DigitSet {
  var state = seed
  func next() -> UInt8 {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return UInt8(truncatingIfNeeded: state >> 56)
  }
  let pixels = (0..<count * rows * columns).map { _ in next() }
  let labels = (0..<count).map { UInt8($0 % 10) }
  return try! DigitSet(name: "sample", rows: rows, columns: columns, pixels: pixels, labels: labels)
}

/// Expects `body` to fail with a one-line DataError that names `path` and
/// whose reason contains `keyword`.
func expectDataError(
  _ path: String, _ keyword: String, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> Void
) {
  let error = #expect(throws: DataError.self, sourceLocation: sourceLocation) { try body() }
  guard let error else { return }
  #expect(error.path == path, "error names \(error.path)", sourceLocation: sourceLocation)
  #expect(error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
  #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
  #expect(
    error.reason.contains(keyword), "\"\(error.reason)\" lacks \"\(keyword)\"", sourceLocation: sourceLocation)
}

/// The shared data directory (../shared/data beside the checkout), if present.
enum SharedData {
  static let root: String? = {
    let path = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("../shared/data").standardizedFileURL.path
    return FileManager.default.fileExists(atPath: path + "/mnist") ? path : nil
  }()
  static let mnist: String? = root.map { $0 + "/mnist" }
  static let external: String? = root.map { $0 + "/external" }
}

/// MD5 (RFC 1321), to check MNIST against the digests in shared/data/README.md:
/// Foundation on Linux has no MD5 and CryptoKit is Apple-only.
func md5Hex(_ message: [UInt8]) -> String {
  let s: [UInt32] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
  ]
  let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }
  var padded = message + [0x80]
  padded += [UInt8](repeating: 0, count: (56 - padded.count % 64 + 64) % 64)
  let bits = UInt64(message.count) * 8
  padded += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
  var h: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476]
  var m = [UInt32](repeating: 0, count: 16)
  for chunk in stride(from: 0, to: padded.count, by: 64) {
    for i in 0..<16 {
      let j = chunk + 4 * i
      m[i] = UInt32(padded[j]) | UInt32(padded[j + 1]) << 8 | UInt32(padded[j + 2]) << 16 | UInt32(padded[j + 3]) << 24
    }
    var (a, b, c, d) = (h[0], h[1], h[2], h[3])
    for i in 0..<64 {
      var f: UInt32
      let g: Int
      switch i {
      case 0..<16: (f, g) = ((b & c) | (~b & d), i)
      case 16..<32: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
      case 32..<48: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
      default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
      }
      f = f &+ a &+ k[i] &+ m[g]
      a = d
      d = c
      c = b
      b = b &+ (f << s[i] | f >> (32 - s[i]))
    }
    h[0] = h[0] &+ a
    h[1] = h[1] &+ b
    h[2] = h[2] &+ c
    h[3] = h[3] &+ d
  }
  return h.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    .map { String(format: "%02x", $0) }.joined()
}
