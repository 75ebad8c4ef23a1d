/// The project's one rasterizer of pen strokes: the sample images
/// (tools/samples `Canvas`), the "not a digit" training images (`Negatives`),
/// the benchmark's drawn digits and the preprocessing tests' pictures all
/// draw through it, so a stroke means the same thing everywhere.
///
/// A round pen along a polyline: a pixel's coverage is how far its centre
/// lies inside the pen, `radius + 0.5 - distance` clamped to 0...1, with
/// the distance to the nearest segment. Taking the largest coverage of any
/// segment, rather than adding them, keeps the joins of one stroke from
/// darkening. Pixel (x, y) has its centre at (x + 0.5, y + 0.5).
public enum PenStroke {
  /// Calls `record(x, y, coverage)` for the pixels near each segment of
  /// `points` within `columns` x `rows`: every pixel the pen touches, and
  /// some it does not (coverage 0); a pixel near several segments is
  /// recorded once per segment, and the caller keeps the largest. The
  /// pen's radius runs linearly along each segment from `radius(i)` at
  /// point i to `radius(i + 1)` (a constant radius for most pens). One point
  /// is a dot.
  @inlinable
  public static func cover(
    _ points: [SIMD2<Double>], radius: (Int) -> Double, columns: ClosedRange<Int>, rows: ClosedRange<Int>,
    _ record: (_ x: Int, _ y: Int, _ coverage: Double) -> Void
  ) {
    guard !points.isEmpty else { return }
    for i in 0..<max(1, points.count - 1) {
      let j = min(i + 1, points.count - 1)
      let a = points[i], b = points[j]
      let ra = radius(i), rb = radius(j)
      let reach = max(ra, rb) + 1
      let d = b - a
      let dd = max((d * d).sum(), 1e-12)
      let x0 = max(columns.lowerBound, Int((min(a.x, b.x) - reach).rounded(.down)))
      let x1 = min(columns.upperBound, Int((max(a.x, b.x) + reach).rounded(.up)))
      let y0 = max(rows.lowerBound, Int((min(a.y, b.y) - reach).rounded(.down)))
      let y1 = min(rows.upperBound, Int((max(a.y, b.y) + reach).rounded(.up)))
      guard x0 <= x1, y0 <= y1 else { continue }
      for y in y0...y1 {
        for x in x0...x1 {
          let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
          let u = min(1, max(0, ((p - a) * d).sum() / dd))
          let q = p - (a + d * u)
          record(x, y, min(1, max(0, ra + (rb - ra) * u + 0.5 - (q * q).sum().squareRoot())))
        }
      }
    }
  }

  /// The coverage of one stroke of constant `width` over a `width` x
  /// `height` image, row-major.
  public static func coverage(_ points: [SIMD2<Double>], width pen: Double, imageWidth: Int, imageHeight: Int) -> [Double] {
    var out = [Double](repeating: 0, count: imageWidth * imageHeight)
    guard imageWidth > 0, imageHeight > 0 else { return out }
    cover(points, radius: { _ in pen / 2 }, columns: 0...(imageWidth - 1), rows: 0...(imageHeight - 1)) { x, y, c in
      if c > out[y * imageWidth + x] { out[y * imageWidth + x] = c }
    }
    return out
  }
}
