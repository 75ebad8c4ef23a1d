import Foundation

/// SplitMix64: every sample is the same on every machine and run.
struct Random {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in 0..<1.
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

  mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

  /// Roughly normal (sum of four uniforms), mean 0, deviation `sigma`.
  mutating func gaussian(_ sigma: Double) -> Double {
    (unit() + unit() + unit() + unit() - 2) * sigma * 1.732
  }
}

/// Smooth value noise in -1...1: random values on a lattice `cell` pixels
/// apart, blended with a smoothstep. Paper fibres, lighting blotches,
/// chalk dust.
struct ValueNoise {
  let cell: Double
  private let columns: Int
  private let values: [Double]

  init(width: Int, height: Int, cell: Double, random: inout Random) {
    self.cell = cell
    columns = Int(Double(width) / cell) + 2
    let rows = Int(Double(height) / cell) + 2
    values = (0..<columns * rows).map { _ in random.uniform(-1, 1) }
  }

  func callAsFunction(_ x: Double, _ y: Double) -> Double {
    let fx = x / cell
    let fy = y / cell
    let ix = Int(fx)
    let iy = Int(fy)
    func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }
    let tx = smooth(fx - Double(ix))
    let ty = smooth(fy - Double(iy))
    func at(_ cx: Int, _ cy: Int) -> Double { values[cy * columns + cx] }
    let top = at(ix, iy) * (1 - tx) + at(ix + 1, iy) * tx
    let bottom = at(ix, iy + 1) * (1 - tx) + at(ix + 1, iy + 1) * tx
    return top * (1 - ty) + bottom * ty
  }
}
