import DigitInferData
import Testing

@testable import DigitInferTraining

/// Training digits sent through `dgi_preprocess`: labels kept, MNIST's
/// format, deterministic per image, and really resampled (not the source
/// copied through).
@Suite struct PreprocessedDigitsTests {
  @Test func labelsKeptImagesResampledAndDeterministic() {
    let digits = NegativesTests.digits
    let a = PreprocessedDigits.generate(from: digits, count: 40, seed: 5, name: "a")
    let b = PreprocessedDigits.generate(from: digits, count: 40, seed: 5, name: "b")
    let c = PreprocessedDigits.generate(from: digits, count: 40, seed: 6, name: "c")
    #expect(a.count == 40 && a.pixels.count == 40 * 784 && a.classes == digits.classes)
    #expect(a.pixels == b.pixels && a.labels == b.labels)
    #expect(a.pixels != c.pixels)
    // Image i does not depend on how many are made.
    let first = PreprocessedDigits.generate(from: digits, count: 10, seed: 5, name: "first")
    #expect(Array(a.pixels[0..<(10 * 784)]) == first.pixels)

    // Each image is some source digit's label, and no image is its source
    // byte for byte: it went through resampling and preprocessing.
    let sources = (0..<digits.count).map { Array(digits.pixels[($0 * 784)..<($0 * 784 + 784)]) }
    var copies = 0
    for i in 0..<a.count {
      let image = Array(a.pixels[(i * 784)..<(i * 784 + 784)])
      #expect(digits.labels.contains(a.labels[i]))
      #expect(image.contains { $0 >= 128 }, "image \(i) has no ink")
      if sources.contains(image) { copies += 1 }
    }
    #expect(copies == 0)
  }
}
