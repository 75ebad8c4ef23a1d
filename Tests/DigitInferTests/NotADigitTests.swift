import CDigitInfer
import DigitInferFormat
import Testing

@testable import DigitInfer

/// SyntheticModel.constant's file: outputs `logits` whatever the image.
func constantModel(_ logits: [Int8]) throws -> [UInt8] { try SyntheticModel.constant(logits).encoded() }

/// "Not a digit": class 10 of an 11-class model (docs/FORMAT.md, 10.7).
@Suite struct NotADigitTests {
  static let image = [UInt8](repeating: 0, count: 784)
  static let one: Float = 1_073_741_824  // e of the best logit, 2^30
  /// e of a logit 32 below the best, 145315229, as binary32 (145315232), as
  /// the runtime converts it before dividing.
  static let e32 = Float(145_315_229 as UInt64)

  /// dgi_classify's raw answer.
  static func cResult(_ m: Model) -> dgi_result {
    var r = dgi_result()
    var scratch = [UInt8](repeating: 0, count: m.info.scratchSize)
    #expect(dgi_classify(m.record, image, &scratch, scratch.count, &r) == DGI_OK)
    return r
  }

  static func digits(_ r: dgi_result) -> [Float] { withUnsafeBytes(of: r.probabilities) { Array($0.bindMemory(to: Float.self)) } }

  @Test func theContractsConstants() {
    #expect(DGI_ABI_VERSION == 2 && dgi_abi_version() == 2)
    #expect(String(cString: dgi_version()) == "1.1.0")
    #expect(DGI_MAX_CLASSES == 11 && DGI_CLASS_NOT_A_DIGIT == 10 && DGI_NOT_A_DIGIT == -1)
    #expect(DGI_FORMAT_MINOR == 2)
    // ABI 2's layout: the new fields follow the ten probabilities.
    #expect(MemoryLayout<dgi_result>.size == 56)
    #expect(MemoryLayout<dgi_result>.offset(of: \.not_a_digit) == 48)
    #expect(MemoryLayout<dgi_result>.offset(of: \.best_digit) == 52)
  }

  @Test func notADigitWins() throws {
    // Ten digits at -16, "not a digit" at 16: total = 2^30 + 10 * 145315229.
    let m = try Model(constantModel([Int8](repeating: -16, count: 10) + [16]))
    #expect(m.info.classCount == 11 && m.info.hasNotADigit && m.info.formatMinor == 2)
    let total = Float(2_526_894_114 as UInt64)
    let r = Self.cResult(m)
    #expect(r.digit == DGI_NOT_A_DIGIT)
    #expect(r.not_a_digit == Self.one / total)
    #expect(r.confidence == r.not_a_digit)
    #expect(Self.digits(r) == [Float](repeating: Self.e32 / total, count: 10))
    #expect(r.best_digit == 0)  // all digits tie: the first
    #expect(abs(Self.digits(r).reduce(0, +) + r.not_a_digit - 1) < 1e-6)

    let answer = try m.classify(Self.image)
    #expect(answer.digit == nil && answer.notADigit && answer.predictedClass == 10)
    #expect(answer.confidence == r.not_a_digit && answer.notADigitProbability == r.not_a_digit)
    #expect(answer.bestDigit == 0 && answer.bestConfidence == Self.e32 / total)
    #expect(answer.probabilities.count == 10)
    #expect(try m.infer(Self.image) == [Int8](repeating: -16, count: 10) + [16])
    #expect(answer == Model.Classification(r, classes: 11))
  }

  @Test func theBestDigitOfARefusal() throws {
    // "Not a digit" 16, digit 7 at 0, the others -16: refused, best guess 7.
    var logits = [Int8](repeating: -16, count: 11)
    logits[7] = 0
    logits[10] = 16
    let m = try Model(constantModel(logits))
    let r = Self.cResult(m)
    let p = Self.digits(r)
    #expect(r.digit == DGI_NOT_A_DIGIT && r.best_digit == 7 && r.confidence == r.not_a_digit)
    #expect(p.firstIndex(of: p.max()!) == 7 && r.not_a_digit > p[7])
    #expect(abs(p.reduce(0, +) + r.not_a_digit - 1) < 1e-6)
    let answer = try m.classify(Self.image)
    #expect(answer.digit == nil && answer.bestDigit == 7 && answer.bestConfidence == p[7])
    // The batch call answers the same.
    #expect(try m.classify(batch: Self.image + Self.image) == [answer, answer])
  }

  @Test func aDigitOfAnElevenClassModel() throws {
    // Digit 4 ties with "not a digit" at 16: the first index, the digit, wins.
    var logits = [Int8](repeating: -16, count: 11)
    logits[4] = 16
    logits[10] = 16
    let m = try Model(constantModel(logits))
    let total = Float(2 * 1_073_741_824 + 9 * 145_315_229 as UInt64)
    let r = Self.cResult(m)
    #expect(r.digit == 4 && r.best_digit == 4)
    #expect(r.confidence == Self.one / total && Self.digits(r)[4] == Self.one / total)
    #expect(r.not_a_digit == Self.one / total)
    let answer = try m.classify(Self.image)
    #expect(answer.digit == 4 && !answer.notADigit && answer.bestDigit == 4 && answer.predictedClass == 4)
  }

  @Test func tenClassModelsAreUnchanged() throws {
    var logits = [Int8](repeating: -16, count: 10)
    logits[3] = 16
    let m = try Model(constantModel(logits))
    #expect(m.info.classCount == 10 && !m.info.hasNotADigit && m.info.formatMinor == 1)
    let total = Float(1_073_741_824 + 9 * 145_315_229 as UInt64)
    let r = Self.cResult(m)
    #expect(r.digit == 3 && r.best_digit == 3 && r.not_a_digit == 0)
    #expect(r.confidence == Self.one / total)
    #expect(Self.digits(r) == (0..<10).map { $0 == 3 ? Self.one / total : Self.e32 / total })
    let answer = try m.classify(Self.image)
    #expect(answer.digit == 3 && answer.bestDigit == 3 && answer.notADigitProbability == 0 && !answer.notADigit)
    #expect(try m.infer(Self.image) == logits)
  }

  @Test func fewerClassesLeaveTheRestZero() throws {
    // Two classes (16, -16): the worked example's probabilities.
    let m = try Model(constantModel([16, -16]))
    let r = Self.cResult(m)
    #expect(r.digit == 0 && r.best_digit == 0 && r.not_a_digit == 0)
    let p = Self.digits(r)
    #expect(p[0].bitPattern == 0x3F61_7BEA && p[1].bitPattern == 0x3DF4_20B1)  // 0x1.c2f7d4p-1, 0x1.e84162p-4
    #expect(p[2...].allSatisfy { $0 == 0 })
  }

  @Test func inferWritesElevenLogits() throws {
    let logits: [Int8] = [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11]
    for classes in [11, 10, 2] {
      let m = try Model(constantModel(Array(logits.prefix(classes))))
      var scratch = [UInt8](repeating: 0, count: m.info.scratchSize)
      var out = [Int8](repeating: 0x5A, count: 16)
      #expect(dgi_infer(m.record, Self.image, &scratch, scratch.count, &out) == DGI_OK)
      let want = Array(logits.prefix(classes)) + [Int8](repeating: 0, count: 11 - classes)
      #expect(Array(out[0..<11]) == want, "\(classes) classes")
      #expect(out[11...].allSatisfy { $0 == 0x5A }, "\(classes) classes: wrote past 11 logits")
      // Two images: 22 bytes.
      var batch = [Int8](repeating: 0x5A, count: 24)
      #expect(dgi_infer_batch(m.record, Self.image + Self.image, 2, &scratch, scratch.count, &batch) == DGI_OK)
      #expect(Array(batch[0..<22]) == want + want && batch[22...].allSatisfy { $0 == 0x5A })
      #expect(try m.infer(Self.image) == Array(logits.prefix(classes)))
    }
  }

  @Test func twelveClassesAreUnsupported() throws {
    let eleven = try constantModel([Int8](repeating: 0, count: 11))
    #expect(openStatus(eleven) == DGI_OK)
    // The header's class count first (H15), then with a last layer of 12 outputs too.
    #expect(openStatus(patched(eleven, 32, 12, bytes: 2)) == DGI_ERROR_UNSUPPORTED)
    let last = 64 + 32  // the dense layer's record; out_c at +14
    #expect(openStatus(patched(patched(eleven, 32, 12, bytes: 2), last + 14, 12, bytes: 2)) == DGI_ERROR_UNSUPPORTED)
    // The writer refuses to write one.
    #expect(throws: FormatError.self) { try constantModel([Int8](repeating: 0, count: 12)) }
  }

  @Test func referenceAndOptimizedKernelsAgreeWithElevenClasses() throws {
    let spec: [SyntheticModel.Layer] = [
      .conv(4, kernel: 3, samePadding: true), .maxpool, .conv(6, kernel: 3), .maxpool, .flatten, .dense(16),
      .dense(11, relu: false),
    ]
    let m = try Model(try SyntheticModel.make(spec, seed: 11).encoded())
    #expect(m.info.classCount == 11)
    for image in testImages(count: 8, seed: 11) {
      let reference = m.logits(image, kernels: .reference)
      for set in supportedKernelSets.dropFirst() { #expect(reference == m.logits(image, kernels: set), "\(set)") }
      // The answer is the softmax's argmax over all 11 classes.
      let answer = try m.classify(image)
      let best = reference.firstIndex(of: reference.max()!)!
      #expect(answer.predictedClass == best)
      #expect(answer.bestDigit == reference[0..<10].firstIndex(of: reference[0..<10].max()!)!)
      #expect(abs(answer.probabilities.reduce(0, +) + answer.notADigitProbability - 1) < 1e-5)
    }
  }
}
