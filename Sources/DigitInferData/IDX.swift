import DigitInferSupport
import Foundation
/// The IDX files of MNIST and similar digit sets: a big-endian header
/// (magic 0x000008NN, NN dimensions of unsigned bytes; then each dimension
/// as a 32-bit count) followed by the raw bytes. Plain or gzip'd.
public enum IDX {
  /// The most a file may declare (or hold compressed); checked before any
  /// allocation, so that a hostile header cannot ask for gigabytes.
  public static let maximumBytes = 512 << 20

  enum Kind {
    case images, labels
    var magic: UInt32 { self == .images ? 0x0000_0803 : 0x0000_0801 }
    var dimensions: Int { self == .images ? 3 : 1 }
    var noun: String { self == .images ? "images" : "labels" }
    var other: Kind { self == .images ? .labels : .images }
  }

  public static func readImages(_ path: String) throws(DataError) -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
    try readImages(path, limit: maximumBytes)
  }

  public static func readLabels(_ path: String) throws(DataError) -> [UInt8] {
    try readLabels(path, limit: maximumBytes)
  }

  static func readImages(_ path: String, limit: Int) throws(DataError) -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
    let (dims, bytes) = try read(path, kind: .images, limit: limit)
    return (dims[0], dims[1], dims[2], bytes)
  }

  static func readLabels(_ path: String, limit: Int) throws(DataError) -> [UInt8] {
    try read(path, kind: .labels, limit: limit).data
  }

  /// Pairs an image file and a label file; counts must match, labels must be 0...9.
  public static func readSet(images: String, labels: String, name: String) throws(DataError) -> DigitSet {
    // Labels first: they are small, and most mistakes show there.
    let labelBytes = try readLabels(labels)
    if let bad = labelBytes.firstIndex(where: { $0 > 9 }) {
      throw DataError(path: labels, reason: "label \(labelBytes[bad]) at index \(bad) is not a digit 0...9")
    }
    let image = try readImages(images)
    guard image.count == labelBytes.count else {
      throw DataError(
        path: labels, reason: "holds \(labelBytes.count) labels but \(images) holds \(image.count) images")
    }
    return try DigitSet(name: name, rows: image.rows, columns: image.columns, pixels: image.pixels, labels: labelBytes)
  }

  /// Writes an image file and a label file, plain or gzip'd, each atomically
  /// (temp file + rename). For tests and tools.
  public static func write(images set: DigitSet, imagesPath: String, labelsPath: String, gzip: Bool) throws(DataError) {
    try writeFile(imagesPath, kind: .images, dimensions: [set.count, set.rows, set.columns], data: set.pixels, gzip: gzip)
    try writeFile(labelsPath, kind: .labels, dimensions: [set.count], data: set.labels, gzip: gzip)
  }

  static func writeFile(_ path: String, kind: Kind, dimensions: [Int], data: [UInt8], gzip: Bool) throws(DataError) {
    guard let header = header(kind: kind, dimensions: dimensions) else {
      throw DataError(path: path, reason: "dimensions \(dimensions) do not fit IDX's 32-bit counts")
    }
    let content = header + data
    let bytes = gzip ? try Gzip.compress(content, path: path) : content
    do {
      try AtomicFile.write(Data(bytes), to: path)
    } catch {
      throw DataError(path: path, reason: error.description)
    }
  }

  static func header(kind: Kind, dimensions: [Int]) -> [UInt8]? {
    guard dimensions.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else { return nil }
    return ([Int(kind.magic)] + dimensions).flatMap { value in
      (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
  }

  private static func read(_ path: String, kind: Kind, limit: Int) throws(DataError) -> (dims: [Int], data: [UInt8]) {
    let file = try FileBytes.open(path, limit: limit)
    let headerSize = 4 + 4 * kind.dimensions

    let magicBytes = try file.read(4)
    guard magicBytes.count == 4 else {
      throw DataError(
        path: path,
        reason: magicBytes.isEmpty
          ? "gzip stream holds no data"
          : "truncated header: \(magicBytes.count) of \(headerSize) bytes")
    }
    let magic = bigEndian(magicBytes[0..<4])
    guard magic == kind.magic else {
      if magic == kind.other.magic {
        throw DataError(
          path: path,
          reason: "is an IDX \(kind.other.noun) file (magic \(hex(magic))), expected \(kind.noun) (\(hex(kind.magic)))")
      }
      throw DataError(path: path, reason: "bad magic \(hex(magic)), expected \(hex(kind.magic)) (IDX \(kind.noun))")
    }

    let dimBytes = try file.read(4 * kind.dimensions)
    guard dimBytes.count == 4 * kind.dimensions else {
      throw DataError(path: path, reason: "truncated header: \(4 + dimBytes.count) of \(headerSize) bytes")
    }
    let dims = (0..<kind.dimensions).map { Int(bigEndian(dimBytes[4 * $0 ..< 4 * $0 + 4])) }
    let shape = dims.map(String.init).joined(separator: "x")
    if kind == .images, dims[1] == 0 || dims[2] == 0 {
      throw DataError(path: path, reason: "image size \(dims[1])x\(dims[2]) is empty")
    }
    var declared = 1
    for d in dims {
      let (product, overflow) = declared.multipliedReportingOverflow(by: d)
      guard !overflow, product <= limit else {
        throw DataError(
          path: path, reason: "declares \(shape) bytes, over the \(limit >> 20) MiB limit")
      }
      declared = product
    }
    if let size = file.size, size - headerSize != declared {
      let actual = size - headerSize
      throw DataError(
        path: path,
        reason: actual < declared
          ? "truncated data: header declares \(shape) = \(declared) bytes, file holds \(actual)"
          : "trailing data: \(actual - declared) bytes after the \(shape) = \(declared) declared")
    }

    var failure: DataError?
    let data = [UInt8](unsafeUninitializedCapacity: declared) { buffer, initialized in
      do throws(DataError) {
        initialized = try file.read(into: UnsafeMutableRawBufferPointer(buffer))
      } catch {
        failure = error
        initialized = 0  // UInt8 needs no deinitialization
      }
    }
    if let failure { throw failure }
    guard data.count == declared else {
      throw DataError(
        path: path, reason: "truncated data: header declares \(shape) = \(declared) bytes, content holds \(data.count)")
    }
    guard try file.isAtEnd() else {
      throw DataError(path: path, reason: "trailing data after the \(shape) = \(declared) declared bytes")
    }
    return (dims, data)
  }

  private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.reduce(0) { $0 << 8 | UInt32($1) }
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
