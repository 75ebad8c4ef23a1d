/// Single-precision matrix products for training, row-major, written for
/// the shapes of small CNNs: every conv and dense layer, forward and
/// backward, is one of these three on contiguous buffers. SIMD over the
/// output columns, four rows of A at a time, so each loaded row of B feeds
/// four accumulators; plain multiply and add (a fused multiply-add would be
/// a library call on baseline x86-64).
enum GEMM {
  typealias V = SIMD8<Float>

  /// C[m x n] (+)= A[m x k] * B[k x n]. Leading dimensions are the column counts.
  static func multiply(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, accumulate: Bool
  ) {
    let nv = n & ~7
    var i = 0
    while i < m {
      let rows = min(4, m - i)
      let a0 = a + i * k
      let a1 = a + min(i + 1, m - 1) * k, a2 = a + min(i + 2, m - 1) * k, a3 = a + min(i + 3, m - 1) * k
      var j = 0
      // Sixteen columns at a time: each broadcast element of A feeds two
      // vectors, which is what keeps the multipliers busy.
      while j + 16 <= n {
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var d0 = V(), d1 = V(), d2 = V(), d3 = V()
        var bp = b + j
        for p in 0..<k {
          let bv = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
          let bw = UnsafeRawPointer(bp + 8).loadUnaligned(as: V.self)
          let x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p]
          c0 += bv * x0
          d0 += bw * x0
          c1 += bv * x1
          d1 += bw * x1
          c2 += bv * x2
          d2 += bw * x2
          c3 += bv * x3
          d3 += bw * x3
          bp += n
        }
        store(c0, c + i * n + j, accumulate)
        store(d0, c + i * n + j + 8, accumulate)
        if rows > 1 { store(c1, c + (i + 1) * n + j, accumulate); store(d1, c + (i + 1) * n + j + 8, accumulate) }
        if rows > 2 { store(c2, c + (i + 2) * n + j, accumulate); store(d2, c + (i + 2) * n + j + 8, accumulate) }
        if rows > 3 { store(c3, c + (i + 3) * n + j, accumulate); store(d3, c + (i + 3) * n + j + 8, accumulate) }
        j += 16
      }
      while j < nv {
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var bp = b + j
        for p in 0..<k {
          let bv = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
          c0 += bv * a0[p]
          c1 += bv * a1[p]
          c2 += bv * a2[p]
          c3 += bv * a3[p]
          bp += n
        }
        store(c0, c + i * n + j, accumulate)
        if rows > 1 { store(c1, c + (i + 1) * n + j, accumulate) }
        if rows > 2 { store(c2, c + (i + 2) * n + j, accumulate) }
        if rows > 3 { store(c3, c + (i + 3) * n + j, accumulate) }
        j += 8
      }
      while j < n {  // leftover columns
        for r in 0..<rows {
          let ar = a + (i + r) * k
          var s: Float = 0
          for p in 0..<k { s += ar[p] * b[p * n + j] }
          c[(i + r) * n + j] = accumulate ? c[(i + r) * n + j] + s : s
        }
        j += 1
      }
      i += 4
    }
  }

  /// C[k x n] += A[m x k]^T * B[m x n]: the weight gradient, a sum of outer
  /// products of rows, without materialising the transpose.
  static func accumulateTransposedA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int
  ) {
    let nv = n & ~7
    for row in 0..<m {
      let ar = a + row * k, br = b + row * n
      var j = 0
      while j < nv {
        let bv = UnsafeRawPointer(br + j).loadUnaligned(as: V.self)
        var cp = c + j
        for p in 0..<k {
          let x = ar[p]
          if x != 0 {  // ReLU and padding make many inputs exactly zero
            let cv = UnsafeRawPointer(cp).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(cp).storeBytes(of: cv + bv * x, as: V.self)
          }
          cp += n
        }
        j += 8
      }
      while j < n {
        let bj = br[j]
        if bj != 0 { for p in 0..<k { c[p * n + j] += ar[p] * bj } }
        j += 1
      }
    }
  }

  @inline(__always)
  private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(p)
    raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: V.self) + v : v, as: V.self)
  }

  /// Transposes rows x cols into cols x rows.
  static func transpose(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows { for c in 0..<cols { dst[c * rows + r] = src[r * cols + c] } }
  }
}
