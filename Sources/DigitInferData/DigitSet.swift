/// A set of same-size grayscale digit images with labels. `pixels` holds
/// count*rows*columns bytes, row-major, 0 = background, 255 = ink.
/// Labels are digits 0...9, and in a set of 11 classes also 10, "not a
/// digit" (generated negatives).
public struct DigitSet: Sendable {
  public let name: String
  /// 10 (digits), or 11 (digits and "not a digit").
  public let classes: Int
  public let rows: Int
  public let columns: Int
  public let pixels: [UInt8]
  public let labels: [UInt8]

  public var count: Int { labels.count }
  public var imageSize: Int { rows * columns }

  /// Validates that the sizes agree and every label is below `classes`, so
  /// that consumers can index without checks.
  public init(name: String, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8], classes: Int = 10) throws(DataError) {
    guard classes == 10 || classes == 11 else {
      throw DataError(path: name, reason: "\(classes) classes; sets have 10 (digits) or 11 (digits and not a digit)")
    }
    guard rows > 0, columns > 0 else {
      throw DataError(path: name, reason: "image size \(rows)x\(columns) is empty")
    }
    let (size, overflow) = labels.count.multipliedReportingOverflow(by: rows * columns)
    guard !overflow, size == pixels.count else {
      throw DataError(
        path: name,
        reason: "\(pixels.count) pixel bytes do not make \(labels.count) images of \(rows)x\(columns)")
    }
    if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
      throw DataError(
        path: name,
        reason: classes == 10
          ? "label \(labels[bad]) of image \(bad) is not a digit 0...9"
          : "label \(labels[bad]) of image \(bad) is not a digit 0...9 nor 10 (not a digit)")
    }
    self.classes = classes
    self.name = name
    self.rows = rows
    self.columns = columns
    self.pixels = pixels
    self.labels = labels
  }

  /// Already-validated parts (slices of a valid set).
  private init(unchecked name: String, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8], classes: Int) {
    self.name = name
    self.classes = classes
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
      labels: Array(labels[range]), classes: classes)
  }

  /// This set followed by `other` (same image size), e.g. digits and
  /// generated negatives; the result has the larger class count.
  public func appending(_ other: DigitSet, name: String? = nil) -> DigitSet {
    precondition(rows == other.rows && columns == other.columns, "image sizes differ")
    return DigitSet(
      unchecked: name ?? "\(self.name)+\(other.name)", rows: rows, columns: columns,
      pixels: pixels + other.pixels, labels: labels + other.labels, classes: max(classes, other.classes))
  }

  /// How many images carry each label 0..<classes.
  public var labelCounts: [Int] {
    var counts = [Int](repeating: 0, count: classes)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }
}
