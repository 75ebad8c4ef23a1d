import CZlib
import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInfer

@Suite struct ArithmeticTests {
  /// Values worked out by hand from the definition: floor(acc * m / 2^31 +
  /// 1/2) (gemmlowp's high multiply: ties toward +infinity), then a rounding
  /// right shift with ties away from zero.
  @Test func requantizeMatchesHandComputedValues() {
    let half: Int32 = 1 << 30  // 0.5
    #expect(requantize(55, half, 1) == 14)  // 27.5 -> 28, 28 / 2 = 14
    #expect(requantize(-130, half, 1) == -33)  // -65, -65 / 2 = -32.5 -> -33
    #expect(requantize(3, half, 0) == 2)  // 1.5 -> 2
    #expect(requantize(-3, half, 0) == -1)  // -1.5 -> -1 (ties toward +infinity)
    #expect(requantize(-5, half, 1) == -1)  // -2.5 -> -2, then -2 / 2 = -1
    #expect(requantize(-7, half, 1) == -2)  // -3.5 -> -3, then -1.5 -> -2 (away from zero)
    #expect(requantize(5, half, 2) == 1)  // 2.5 -> 3, 3 / 4 = 0.75 -> 1
    #expect(requantize(1000, 0, 0) == 0)
    #expect(requantize(Int32.max, Int32.max, 0) == Int32.max - 1)  // (2^31-1)^2 / 2^31
    #expect(requantize(Int32.min, Int32.max, 31) == -1)  // -(2^31-1) / 2^31 = -0.99.. -> -1
    #expect(requantize(123_456, 1_518_500_250, 5) == 2728)  // * 0.7071.. / 32 = 2727.9..
  }

  @Test func requantizeAgreesWithExactRationalArithmetic() {
    var rng = SplitMix64(seed: 11)
    func roundAway(_ n: Int64, _ d: Int64) -> Int64 {  // round(n / d), ties away from zero
      let q = n / d, r = n % d
      if 2 * abs(r) >= d { return q + (n < 0 ? -1 : 1) }
      return q
    }
    func roundHalfUp(_ n: Int64, _ d: Int64) -> Int64 {  // floor(n / d + 1/2)
      let twice = 2 * n + d, den = 2 * d
      return twice >= 0 ? twice / den : -((-twice + den - 1) / den)
    }
    for i in 0..<100_000 {
      let acc = Int32.random(in: -(1 << 24)...(1 << 24), using: &rng)
      // Every fourth case is an exact tie of the high multiply.
      let m = i % 4 == 0 ? Int32(1 << 30) : Int32.random(in: (1 << 30)...Int32.max, using: &rng)
      let shift = UInt8.random(in: 0...20, using: &rng)
      let high = roundHalfUp(Int64(acc) * Int64(m), 1 << 31)
      let expected = roundAway(high, 1 << Int64(shift))
      #expect(Int64(requantize(acc, m, shift)) == expected)
    }
  }

  @Test func shiftFormEqualsGemmlowpForm() {
    var rng = SplitMix64(seed: 12)
    let edges: [Int32] = [0, 1, -1, 2, -2, 3, -3, Int32.max, Int32.min, Int32.max - 1, Int32.min + 1, 1 << 30, -(1 << 30)]
    let multipliers: [Int32] = [0, 1, 1 << 30, (1 << 30) + 1, Int32.max, Int32.max - 1, 1_518_500_250]
    for acc in edges {
      for m in multipliers {
        for shift in UInt8(0)...31 {
          #expect(requantizeByShifts(acc, m, shift) == requantize(acc, m, shift), "\(acc) \(m) \(shift)")
        }
      }
    }
    for _ in 0..<1_000_000 {
      let acc = Int32.random(in: .min ... .max, using: &rng) >> Int32.random(in: 0...31, using: &rng)
      let m = Int32.random(in: 0 ... .max, using: &rng)
      let shift = UInt8.random(in: 0...31, using: &rng)
      if requantizeByShifts(acc, m, shift) != requantize(acc, m, shift) {
        Issue.record("differs at \(acc) \(m) \(shift)")
        return
      }
    }
  }

  /// The optimized kernels' eight-lane requantization against the scalar
  /// reference, on random and extreme accumulators, multipliers, shifts,
  /// zero points and both ReLU settings.
  @Test func vectorRequantizationEqualsScalar() throws {
    var rng = SplitMix64(seed: 13)
    var params = [UInt8](repeating: 0, count: 8 * 9)  // bias, multiplier, shift arrays
    let extremes: [Int32] = [0, 1, -1, Int32.max, Int32.min, 1 << 30, -(1 << 30), 12345, -12345]
    for round in 0..<20_000 {
      let relu = round % 2 == 0
      let zeroPoint = Int8.random(in: .min ... .max, using: &rng)
      let d = LayerDesc(
        kind: 1, flags: relu ? 1 : 0, inZeroPoint: 0, outZeroPoint: zeroPoint, kernelH: 1, kernelW: 1,
        padH: 0, padW: 0, inH: 1, inW: 1, inC: 1, outH: 1, outW: 1, outC: 8, input: 0, output: 0,
        weights: 0, bias: 0, multiplier: 32, shift: 64, outScaleBits: 0)
      for c in 0..<8 {
        // Biases stay small so that acc + bias cannot wrap (as the reader guarantees).
        let bias = Int32.random(in: -100_000...100_000, using: &rng)
        let m = round % 7 == 0 ? Int32.max : Int32.random(in: 0 ... .max, using: &rng)
        withUnsafeBytes(of: bias.littleEndian) { for k in 0..<4 { params[4 * c + k] = $0[k] } }
        withUnsafeBytes(of: m.littleEndian) { for k in 0..<4 { params[32 + 4 * c + k] = $0[k] } }
        params[64 + c] = UInt8.random(in: 0...31, using: &rng)
      }
      params.withUnsafeBytes { raw in
        let p = ChannelParams(raw.baseAddress!, d)
        for count in [8, 5] {
          let block = ChannelBlock(p, d, first: 0, count: count)
          var acc = SIMD8<Int32>()
          for k in 0..<8 {
            acc[k] =
              round % 5 == 0
              ? extremes.randomElement(using: &rng)! / 2
              : Int32.random(in: -(1 << 28)...(1 << 28), using: &rng)
          }
          let vector = block.output(acc)
          for k in 0..<count {
            let scalar = p.referenceOutput(acc[k] &+ p.bias(k), k, d)
            if vector[k] != scalar {
              Issue.record("lane \(k): \(vector[k]) != \(scalar) for acc \(acc[k])")
              return
            }
          }
        }
      }
    }
  }

  @Test func outputClampAndRelu() {
    let one: Int32 = Int32.max  // ~1.0
    #expect(requantizeToInt8(1000, one, 0, 0, relu: false) == 127)
    #expect(requantizeToInt8(-1000, one, 0, 0, relu: false) == -128)
    #expect(requantizeToInt8(-10, one, 0, 5, relu: true) == 5)  // ReLU clamps at the zero point
    #expect(requantizeToInt8(10, one, 0, 5, relu: true) == 15)
    #expect(requantizeToInt8(Int32.min + 1, one, 0, 127, relu: false) == -128)
  }

  @Test func multiplierEncodingRoundTrips() throws {
    for scale in [0.5, 0.25, 0.7071, 1e-3, 3.3e-6, 0.999_999_999] {
      let (m, s) = try Requantization.multiplier(for: scale)
      let decoded = Double(m) / Double(1 << 31) / Double(1 << Int(s))
      #expect(abs(decoded - scale) / scale < 1e-9)
      #expect(m >= 1 << 30)
    }
    #expect(throws: FormatError.self) { try Requantization.multiplier(for: 1.0) }
    #expect(throws: FormatError.self) { try Requantization.multiplier(for: -0.1) }
  }

  @Test func crc32MatchesZlib() {
    var rng = SplitMix64(seed: 3)
    for length in [0, 1, 2, 7, 64, 1000, 65_537] {
      let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let split = length / 3  // two ranges, as the reader hashes them
      let ours = data.withUnsafeBytes { b -> UInt32 in
        let base = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        return DigitInfer.crc32(base, split, base + split, length - split)
      }
      let theirs = data.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, UInt32(length)) }
      #expect(ours == UInt32(theirs), "length \(length)")
    }
    let text = Array("123456789".utf8)
    let check = text.withUnsafeBytes { DigitInfer.crc32($0.baseAddress!, 4, $0.baseAddress! + 4, 5) }
    #expect(check == 0xCBF4_3926)  // the standard check value
  }

  @Test func softmaxExponentialIsAccurate() {
    for f in stride(from: UInt64(0), to: 1 << 24, by: 4099) {
      let exact = Foundation.exp2(-Double(f) / Double(1 << 24))
      let got = Double(Softmax.exp2Fraction(f)) / Double(1 << 30)
      #expect(abs(got - exact) < 4e-9)
    }
  }

  @Test func softmaxHandExample() {
    // Logits 10 and 10 - 1/s*ln 3: with s*log2(e) = 1/ln 3 * ... simpler: two
    // classes one int8 step apart with beta = 2^24 (step = one power of two):
    // weights 1 and 1/2, so probabilities 2/3 and 1/3.
    let logits: [Int8] = [5, 4]
    // Softmax.run fills DGI_MAX_CLASSES (11) entries, the rest 0; one more guards.
    var p = [Float](repeating: -1, count: Int(DGI_MAX_CLASSES) + 1)
    let best = logits.withUnsafeBufferPointer { Softmax.run($0.baseAddress!, 2, beta: 1 << 24, &p) }
    #expect(best == 0)
    #expect(p[0] == Float(2.0 / 3.0))
    #expect(p[1] == Float(1.0 / 3.0))
    #expect(p[2..<11].allSatisfy { $0 == 0 })
    #expect(p[11] == -1)
  }
}

