import DigitInferData
import DigitInferSupport
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

/// The other ways of writing a 1 and a 7, and the stretch to the box,
/// checked on a drawn stem (a 1 of 4x20 pixels) whose every pixel is known.
@Suite struct ConventionsTests {
  /// A vertical bar at columns 12..<16, rows 4..<24, full ink.
  static let stem: [UInt8] = (0..<784).map { p in (12..<16).contains(p % 28) && (4..<24).contains(p / 28) ? 255 : 0 }

  static func added(_ image: [UInt8], to original: [UInt8]) -> [(x: Int, y: Int)] {
    (0..<784).filter { image[$0] > original[$0] }.map { (x: $0 % 28, y: $0 / 28) }
  }

  @Test func aFlagGoesDownLeftFromTheTopAndRemovesNothing() throws {
    var rng = SplitMix64(seed: 1)
    for _ in 0..<20 {
      let image = try #require(Conventions.flagged(Self.stem, &rng))
      #expect(zip(image, Self.stem).allSatisfy { $0 >= $1 }, "ink removed")
      let new = Self.added(image, to: Self.stem)
      // The flag leaves the stem's top (centre x 14, y 6, pen 4 wide) to
      // the left, 0.2 x 20 = 4 to 0.45 x 20 = 9 columns across and at most
      // 1.5 x 9 = 13.5 rows down.
      #expect(new.contains { $0.x < 10 }, "no ink left of the stem")
      #expect(new.allSatisfy { $0.x < 14 && $0.x >= 14 - 9 - 3 && $0.y >= 2 && $0.y <= 6 + 14 + 3 }, "ink outside the flag's reach")
      // Steep, never a 7's roof: where the flag ends (its leftmost ink, a
      // pen's half past the end) it has dropped at least 0.75 of the way
      // across, less a pen's width for the round ends.
      let end = try #require(new.min { $0.x < $1.x })
      #expect(Double(end.y - 6) >= 0.75 * Double(14 - 2 - end.x) - 4, "flag too flat: ends at \(end)")
    }
  }

  @Test func aBarCrossesTheStemBelowTheMiddle() throws {
    var rng = SplitMix64(seed: 2)
    for _ in 0..<20 {
      let image = try #require(Conventions.crossed(Self.stem, &rng))
      let new = Self.added(image, to: Self.stem)
      // 45-60% of 20 rows below row 4, bar half-length 3 to 5, tilt ±0.1.
      #expect(new.contains { $0.x < 12 } && new.contains { $0.x >= 16 }, "the bar does not cross the stem")
      #expect(new.allSatisfy { $0.y >= 11 && $0.y <= 18 }, "the bar is not near the middle")
    }
  }

  @Test func aOneStrokeFourIsACurveABarAndAStemInTheDigitsBox() throws {
    var rng = SplitMix64(seed: 4)
    for i in 0..<40 {
      let image = try #require(Conventions.oneStrokeFour(in: Self.stem, &rng))
      let ink = (0..<784).filter { image[$0] >= 128 }.map { (x: $0 % 28, y: $0 / 28) }
      // In the stem's 20 rows (4..<24, a pen's half either side), as wide
      // as 12 to 20 columns about its middle (column 14).
      #expect(ink.allSatisfy { $0.y >= 2 && $0.y <= 26 && $0.x >= 2 && $0.x <= 26 }, "image \(i): ink outside the box")
      // The down stroke reaches the left fifth at 55-75% of the height; the
      // corner below the bar and left of the stem stays empty (a 4, not a 6).
      #expect(ink.contains { $0.x <= 8 && (13...19).contains($0.y) }, "image \(i): no down stroke on the left")
      #expect(!ink.contains { $0.x <= 8 && $0.y >= 23 }, "image \(i): ink under the bar on the left")
      // The stem runs down to the bottom right of the middle, the bar crosses it.
      #expect(ink.contains { $0.x >= 13 && $0.y >= 22 }, "image \(i): no stem at the bottom")
      #expect(ink.contains { $0.x >= 18 && (11...19).contains($0.y) }, "image \(i): the bar does not pass the stem")
    }
  }

  @Test func aHookLeavesTheBottomToTheLeftAndRemovesNothing() throws {
    var rng = SplitMix64(seed: 5)
    for _ in 0..<20 {
      let image = try #require(Conventions.hooked(Self.stem, &rng))
      #expect(zip(image, Self.stem).allSatisfy { $0 >= $1 }, "ink removed")
      let new = Self.added(image, to: Self.stem)
      // From the stem's bottom (a pen's half above its last row's edge: y =
      // 24 - 2) 0.3-0.6 x 20 = 6 to 12 columns left, rising at most 0.25 x
      // 20 = 5 rows, in a pen of 4: rows 22 - 5 - 2 = 15 (14 partly covered) to 26.
      #expect(new.contains { $0.x < 8 }, "no ink left of the stem")
      #expect(new.allSatisfy { $0.x <= 16 && $0.y >= 14 && $0.y <= 26 }, "ink outside the hook's reach: \(new)")
    }
  }

  @Test func onlyOnesFoursSevensAndNinesChangeAndBlankImagesAreLeftAlone() {
    var rng = SplitMix64(seed: 3)
    for label in [0, 2, 3, 5, 6, 8] as [UInt8] {
      #expect(Conventions.written(Self.stem, label: label, &rng) == Self.stem)
    }
    let blank = [UInt8](repeating: 0, count: 784)
    #expect(Conventions.flagged(blank, &rng) == nil && Conventions.crossed(blank, &rng) == nil)
    #expect(Conventions.oneStrokeFour(in: blank, &rng) == nil && Conventions.hooked(blank, &rng) == nil)
    // Half the 1s are flagged: 100 of 200 expected, 5 standard deviations ~ 35;
    // 30% of the 4s and 9s redrawn: 60 of 200, 5 standard deviations ~ 32.
    for (label, share) in [(1, Conventions.flaggedOnes), (4, Conventions.oneStrokeFours), (9, Conventions.hookedNines)] as [(UInt8, Double)] {
      var changed = 0
      for _ in 0..<200 where Conventions.written(Self.stem, label: label, &rng) != Self.stem { changed += 1 }
      #expect(abs(Double(changed) - 200 * share) < 35, "label \(label): \(changed) of 200 changed")
    }
  }

  @Test func stretchingFillsMNISTsBoxOnBothAxesUnlessNarrow() {
    // A 10x16 block in the corner becomes the whole 20x20 box in the middle.
    let block: [UInt8] = (0..<784).map { p in (0..<10).contains(p % 28) && (2..<18).contains(p / 28) ? 255 : 0 }
    let image = PreprocessedDigits.stretchedToBox(block)
    for y in 0..<28 {
      for x in 0..<28 {
        let inBox = (4..<24).contains(x) && (4..<24).contains(y)
        #expect(inBox ? image[y * 28 + x] >= 128 : image[y * 28 + x] == 0, "pixel (\(x), \(y)) = \(image[y * 28 + x])")
      }
    }
    let blank = [UInt8](repeating: 0, count: 784)
    #expect(PreprocessedDigits.stretchedToBox(blank) == blank)
    // The 4x20 stem is narrower than half its height: left as it is.
    #expect(PreprocessedDigits.stretchedToBox(Self.stem) == Self.stem)
  }
}

@Suite struct InkBoxTests {
  @Test func theBoxHoldsExactlyThePixelsAtTheThreshold() throws {
    var image = [UInt8](repeating: 0, count: 784)
    image[3 * 28 + 5] = 200  // (5, 3)
    image[20 * 28 + 17] = 64  // (17, 20)
    image[10 * 28 + 1] = 63  // (1, 10): below 64
    let box = try #require(InkBox(image, threshold: 64))
    #expect((box.left, box.top, box.right, box.bottom, box.count) == (5, 3, 17, 20, 2))
    #expect((box.width, box.height) == (13, 18))
    #expect(InkBox(image, threshold: 1)?.left == 1)
    #expect(InkBox(image, threshold: 201) == nil)
    #expect(InkBox([UInt8](repeating: 63, count: 784), threshold: Negatives.shapeInk) == nil)
  }
}
