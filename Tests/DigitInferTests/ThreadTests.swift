import CDigitInfer
import DigitInferFormat
import Foundation
import Testing

@testable import DigitInfer

@Suite struct ThreadTests {
  /// One model, eight threads, each with its own scratch: every answer must
  /// equal the single-threaded one.
  @Test func concurrentClassificationAgrees() throws {
    let m = try Model(try SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 3).encoded())
    let images = testImages(count: 8, seed: 21)
    let expected = images.map { m.logits($0) }
    let failures = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 8) { t in
      var scratch = [UInt8](repeating: 0, count: m.scratchSize)
      var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
      for round in 0..<300 {
        let i = (round + t) % images.count
        let s = dgi_infer(m.record, images[i], &scratch, scratch.count, &logits)
        if s != DGI_OK || logits != expected[i] { failures.withLock { $0 += 1 } }
      }
    }
    #expect(failures.withLock { $0 } == 0)
  }
}

import Synchronization
