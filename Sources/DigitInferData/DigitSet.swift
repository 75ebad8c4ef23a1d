/// A set of same-size grayscale digit images with labels. `pixels` holds
/// count*rows*columns bytes, row-major, 0 = background, 255 = ink.
public struct DigitSet: Sendable {
  public let name: String
  public let rows: Int
  public let columns: Int
  public let pixels: [UInt8]
  public let labels: [UInt8]

  public var count: Int { labels.count }
  public var imageSize: Int { rows * columns }

  /// Validates that the sizes agree and every label is a digit, so that
  /// consumers can index without checks.
  public init(name: String, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) throws(DataError) {
    guard rows > 0, columns > 0 else {
      throw DataError(path: name, reason: "image size \(rows)x\(columns) is empty")
    }
    let (size, overflow) = labels.count.multipliedReportingOverflow(by: rows * columns)
    guard !overflow, size == pixels.count else {
      throw DataError(
        path: name,
        reason: "\(pixels.count) pixel bytes do not make \(labels.count) images of \(rows)x\(columns)")
    }
    if let bad = labels.firstIndex(where: { $0 > 9 }) {
      throw DataError(path: name, reason: "label \(labels[bad]) of image \(bad) is not a digit 0...9")
    }
    self.name = name
    self.rows = rows
    self.columns = columns
    self.pixels = pixels
    self.labels = labels
  }

  /// Already-validated parts (slices of a valid set).
  private init(unchecked name: String, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
    self.name = name
    self.rows = rows
    self.columns = columns
    self.pixels = pixels
    self.labels = labels
  }

  public func image(_ i: Int) -> ArraySlice<UInt8> {
    precondition(i >= 0 && i < count, "image \(i) out of 0..<\(count)")
    return pixels[i * imageSize ..< (i + 1) * imageSize]
  }

  /// Images lo..<hi as a new set (for train/validation splits).
  public func slice(_ range: Range<Int>, name: String? = nil) -> DigitSet {
    precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) out of 0..<\(count)")
    return DigitSet(
      unchecked: name ?? "\(self.name)[\(range.lowerBound)..<\(range.upperBound)]",
      rows: rows, columns: columns,
      pixels: Array(pixels[range.lowerBound * imageSize ..< range.upperBound * imageSize]),
      labels: Array(labels[range]))
  }

  /// How many images carry each digit 0...9.
  public var labelCounts: [Int] {
    var counts = [Int](repeating: 0, count: 10)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }
}
