import CDigitInfer
import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInfer

/// `dgi_model_open` must return a specific status for anything, never trap
/// or read out of bounds. The tests run in a debug build, where any integer
/// overflow in the runtime traps and fails the run.
@Suite struct HostileInputTests {
  let tiny = try! SyntheticModel.make(
    [.conv(4, kernel: 3, samePadding: true), .maxpool, .conv(6, kernel: 3), .maxpool, .flatten, .dense(16), .dense(10, relu: false)],
    seed: 2024, name: "tiny"
  ).encoded()

  @Test func everyTruncationIsReportedAsTruncated() {
    for length in 0..<tiny.count {
      #expect(openStatus(Array(tiny[0..<length])) == DGI_ERROR_TRUNCATED, "length \(length)")
    }
  }

  @Test func everySingleBitFlipIsCaught() {
    for byte in 0..<tiny.count {
      for bit in 0..<8 {
        var f = tiny
        f[byte] ^= UInt8(1 << bit)
        let s = openStatus(f)
        #expect(s != DGI_OK, "byte \(byte) bit \(bit)")
        // Flips in the magic or version fail before the CRC is checked.
        if byte >= 8 { #expect(s == DGI_ERROR_CHECKSUM || s == DGI_ERROR_TRUNCATED || s == DGI_ERROR_MALFORMED) }
      }
    }
  }

  @Test func randomGarbageIsRejected() {
    var rng = SplitMix64(seed: 77)
    for i in 0..<20_000 {
      let length = Int.random(in: 0...300, using: &rng)
      var f = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
      if i % 2 == 0, length >= 4 { f.replaceSubrange(0..<4, with: Array("DGIF".utf8)) }
      #expect(openStatus(f) != DGI_OK)
    }
  }

  /// Mutations behind a recomputed CRC reach every structural check. A
  /// mutant that still opens must then run without trapping on a scratch
  /// buffer of exactly the declared size (guard bytes after it must survive).
  @Test func mutantsWithValidChecksumsNeverCrash() {
    var rng = SplitMix64(seed: 99)
    let images = testImages(count: 2, seed: 8)
    let fieldOffsets = Array(0..<64) + (0..<(7 * 32)).map { 64 + $0 }
    let extremes: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]
    var opened = 0
    for i in 0..<30_000 {
      var f = tiny
      if i % 3 == 0 {
        let at = fieldOffsets.randomElement(using: &rng)!
        f = patched(f, at, extremes.randomElement(using: &rng)!, bytes: [1, 2, 4].randomElement(using: &rng)!)
      } else {
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
          let at = i % 3 == 1 ? Int.random(in: 0..<(64 + 7 * 32), using: &rng) : Int.random(in: 0..<f.count, using: &rng)
          f[at] = UInt8.random(in: 0...255, using: &rng)
        }
        f = patched(f, 16, UInt64(QuantizedModel.checksum(f)), bytes: 0)
      }
      guard let m = try? Model(f) else { continue }
      opened += 1
      let size = m.scratchSize
      var scratch = [UInt8](repeating: 0, count: size + 64)
      for k in size..<(size + 64) { scratch[k] = 0xC3 }
      var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
      for image in images {
        #expect(dgi_infer(m.record, image, &scratch, size, &logits) == DGI_OK)
      }
      #expect(scratch[size...].allSatisfy { $0 == 0xC3 }, "mutant \(i) wrote past its scratch")
    }
    #expect(opened > 100)  // the harmless mutants (weights, biases) do open
  }

  @Test func nullAndInvalidArguments() throws {
    var record = dgi_model()
    #expect(dgi_model_open(nil, tiny, tiny.count) == DGI_ERROR_ARGUMENT)
    #expect(dgi_model_open(&record, nil, 10) == DGI_ERROR_ARGUMENT)
    #expect(dgi_model_open(&record, tiny, 0) == DGI_ERROR_TRUNCATED)
    #expect(dgi_model_scratch_size(nil) == 0)
    #expect(dgi_model_scratch_size(&record) == 0)

    var result = dgi_result()
    result.digit = 42
    var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
    let image = [UInt8](repeating: 0, count: 784)
    var scratch = [UInt8](repeating: 0, count: 1 << 16)
    #expect(dgi_classify(&record, image, &scratch, scratch.count, &result) == DGI_ERROR_NOT_OPEN)
    #expect(dgi_classify(nil, image, &scratch, scratch.count, &result) == DGI_ERROR_ARGUMENT)

    let m = try Model(tiny)
    #expect(dgi_classify(m.record, nil, &scratch, scratch.count, &result) == DGI_ERROR_ARGUMENT)
    #expect(dgi_classify(m.record, image, &scratch, scratch.count, nil) == DGI_ERROR_ARGUMENT)
    #expect(dgi_classify(m.record, image, nil, scratch.count, &result) == DGI_ERROR_SCRATCH)
    #expect(dgi_classify(m.record, image, &scratch, m.scratchSize - 1, &result) == DGI_ERROR_SCRATCH)
    #expect(dgi_infer(m.record, image, &scratch, m.scratchSize - 1, &logits) == DGI_ERROR_SCRATCH)
    #expect(result.digit == 42)  // untouched on failure
    #expect(dgi_classify(m.record, image, &scratch, m.scratchSize, &result) == DGI_OK)
    var info = dgi_model_info()
    #expect(dgi_model_get_info(m.record, nil) == DGI_ERROR_ARGUMENT)
    #expect(dgi_model_get_info(&record, &info) == DGI_ERROR_NOT_OPEN)

    // A failed open leaves the record unusable rather than half-filled.
    let reopened = m.record
    #expect(dgi_model_open(reopened, tiny, 10) == DGI_ERROR_TRUNCATED)
    #expect(dgi_classify(reopened, image, &scratch, scratch.count, &result) == DGI_ERROR_NOT_OPEN)
  }

  @Test func statusMessagesExistForEveryCode() {
    var seen = Set<String>()
    for code in 0...10 {
      let text = String(cString: dgi_status_message(dgi_status(rawValue: UInt32(code))))
      #expect(!text.isEmpty)
      seen.insert(text)
    }
    #expect(seen.count == 11)
    #expect(String(cString: dgi_status_message(dgi_status(rawValue: 999))) == "unknown status code")
    #expect(dgi_abi_version() == DGI_ABI_VERSION)
  }

  @Test func anyAlignmentGivesTheSameAnswers() throws {
    let images = testImages(count: 4, seed: 3)
    let aligned = try Model(tiny)
    for offset in 1..<16 {
      try withMisalignedCopy(tiny, misalignment: offset) { bytes in
        let m = try Model(borrowing: bytes)
        for image in images { #expect(m.logits(image) == aligned.logits(image)) }
      }
    }
  }
}
