import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferImage

/// Expects `body` to fail with a one-line ImageError containing `keyword`.
@discardableResult
func expectImageError(
  _ keyword: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ImageError? {
  do {
    try body()
    Issue.record("expected an error containing \"\(keyword)\"", sourceLocation: sourceLocation)
    return nil
  } catch let error as ImageError {
    #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    #expect(
      error.description.contains(keyword), "\"\(error.description)\" lacks \"\(keyword)\"",
      sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected an ImageError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

func writeBytes(_ bytes: [UInt8], to path: String) {
  try! Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Deterministic pseudo-random bytes (a 64-bit LCG), so failures reproduce.
struct TestRandom {
  var state: UInt64
  mutating func next() -> UInt64 {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return state >> 33
  }
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
