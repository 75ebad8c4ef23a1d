/// Where a 28x28 image's ink is: the box around its pixels of `threshold` or
/// more, and how many there are. The generators use it to judge and place
/// strokes (negatives too narrow to be a negative, a 1's flag, a digit
/// stretched to its box), each with the threshold its test needs.
struct InkBox: Equatable {
  /// First and last ink column and row (inclusive).
  let left: Int, top: Int, right: Int, bottom: Int
  /// Pixels at or above the threshold.
  let count: Int

  var width: Int { right - left + 1 }
  var height: Int { bottom - top + 1 }

  /// nil when no pixel reaches `threshold`.
  init?(_ image: [UInt8], threshold: UInt8) {
    var x0 = 28, x1 = -1, y0 = 28, y1 = -1, count = 0
    for y in 0..<28 {
      for x in 0..<28 where image[y * 28 + x] >= threshold {
        x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y); count += 1
      }
    }
    guard x1 >= 0 else { return nil }
    (left, top, right, bottom, self.count) = (x0, y0, x1, y1, count)
  }
}
