import DigitInfer
import DigitInferData
import DigitInferFormat
import Foundation
import Testing

@testable import DigitInferTraining

/// The "not a digit" negatives: deterministic, in MNIST's format, every
/// kind producing ink where a model input has it, and a held-out set that
/// shares no image with the training ones.
@Suite struct NegativesTests {
  /// Source digits for partial digits and pairs: MNIST's held-out training
  /// images when present, else blocky digits drawn here (a 7 and a 4 made
  /// of bars; the generator only needs ink to cut and pair).
  static let digits: DigitSet = {
    if let dir = try? MNIST.directory(flag: nil), let all = try? MNIST.train(in: dir) {
      return all.slice(55_000..<56_000)
    }
    var pixels: [UInt8] = [], labels: [UInt8] = []
    for k in 0..<20 {
      var image = [UInt8](repeating: 0, count: 784)
      for y in 6..<22 { for x in 8..<20 where y < 9 || x >= 16 - k % 3 || (k % 2 == 0 && y > 13 && y < 16) { image[y * 28 + x] = 255 } }
      pixels += image
      labels.append(k % 2 == 0 ? 4 : 3)
    }
    return try! DigitSet(name: "drawn", rows: 28, columns: 28, pixels: pixels, labels: labels)
  }()

  @Test func sameSeedSameImagesOtherSeedOthers() {
    let a = Negatives.generate(count: 56, seed: 3, style: .training, digits: Self.digits)
    let b = Negatives.generate(count: 56, seed: 3, style: .training, digits: Self.digits)
    let c = Negatives.generate(count: 56, seed: 4, style: .training, digits: Self.digits)
    #expect(a.pixels == b.pixels)
    #expect(a.pixels != c.pixels)
    #expect(a.count == 56 && a.classes == 11 && a.labels.allSatisfy { $0 == 10 })
    // Image i does not depend on how many are made (nor on threads).
    let first = Negatives.generate(count: 14, seed: 3, style: .training, digits: Self.digits)
    #expect(Array(a.pixels[0..<(14 * 784)]) == first.pixels)
  }

  @Test(arguments: Negatives.Kind.allCases)
  func everyKindHasInkInsideTheImage(kind: Negatives.Kind) {
    for index in 0..<12 {
      for style in [Negatives.Style.training, .heldOut] {
        let image = Negatives.image(kind, index: index, seed: 11, style: style, digits: Self.digits)
        #expect(image.count == 784)
        // Faint noise and light ruling may stay under 128; nothing is blank.
        #expect(image.contains { $0 >= 32 }, "\(kind) \(index): no ink")
        let ink = image.filter { $0 >= 128 }.count
        switch kind {
        case .scribble, .letter, .partialDigit, .digitPair:
          // Preprocessed like MNIST: fitted into the middle 20x20 and
          // centred by mass, so the border row and column hold at most the
          // faint edge of a stroke.
          for i in 0..<28 {
            for edge in [i, 27 * 28 + i, i * 28, i * 28 + 27] { #expect(image[edge] < 64, "\(kind) \(index): ink on the border") }
          }
          #expect(ink >= 20, "\(kind) \(index): \(ink) ink pixels")
        case .specks:
          #expect(ink < 60, "specks: \(ink) ink pixels")
        default:
          break
        }
      }
    }
  }

  @Test func heldOutSetSharesNoImageWithTraining() {
    let training = Negatives.generate(count: 700, seed: 1, style: .training, digits: Self.digits)
    let heldOut = Rejection.testSet(testDigits: Self.digits)
    var seen = Set<ArraySlice<UInt8>>()
    for i in 0..<training.count { seen.insert(training.image(i)) }
    // Only a lone round dot can repeat: preprocessing keeps the heaviest
    // blob or salt-and-pepper dot and fits any of them to the same 20x20 disc.
    let shared = (0..<heldOut.count).filter { seen.contains(heldOut.image($0)) }
    let round: Set<Negatives.Kind> = [.blobs, .saltAndPepper]
    #expect(shared.allSatisfy { round.contains(Negatives.kind(of: $0, withDigits: true)) }, "\(shared)")
    #expect(shared.count * 100 <= heldOut.count)
    #expect(Rejection.testSeed != 1 && heldOut.count == Rejection.testCount)
  }

  @Test func glyphListsLeaveOutLettersThatAreDigits() {
    let lookalikes: Set<String> = ["O", "o", "I", "l", "i", "|", "S", "s", "Z", "z", "B", "b", "G", "g", "q", "T", "J", "Y", "h", "?"]
    let all = NegativeGlyphs.training + NegativeGlyphs.heldOutOnly
    #expect(lookalikes.isDisjoint(with: all))
    #expect(Set(NegativeGlyphs.training).isDisjoint(with: NegativeGlyphs.heldOutOnly))
    for glyph in all { #expect(!NegativeGlyphs.strokes(glyph).isEmpty) }
  }

  /// The geometric filters, on hand-made images: a slanted bar is a line
  /// (a 1), a cross is not; a ring has a hole, a C does not.
  @Test func filtersRecogniseLinesAndLoops() {
    var bar = [UInt8](repeating: 0, count: 784), cross = bar, ring = bar, c = bar
    for t in 4..<24 {
      bar[t * 28 + t / 3 + 8] = 255
      cross[14 * 28 + t] = 255
      cross[t * 28 + 14] = 255
    }
    for y in 0..<28 {
      for x in 0..<28 {
        let d = (Double(x) - 13.5) * (Double(x) - 13.5) + (Double(y) - 13.5) * (Double(y) - 13.5)
        if d > 36 && d < 64 { ring[y * 28 + x] = 255; if x < 18 { c[y * 28 + x] = 255 } }
      }
    }
    #expect(Negatives.isLine(bar))
    #expect(!Negatives.isLine(cross))
    #expect(Negatives.hasHole(ring, side: 28))
    #expect(!Negatives.hasHole(c, side: 28))
  }
}

/// An 11-class network on a tiny run: digits and generated negatives
/// (class 10, new ones each epoch) through the Trainer, then int8 through
/// the runtime, which answers "not a digit".
@Suite struct NotADigitTrainingTests {
  @Test func elevenClassesLearnToRejectNegatives() throws {
    let dir = try #require(try? MNIST.directory(flag: nil), "MNIST not found (set DIGITINFER_DATA)")
    let all = try MNIST.train(in: dir)
    let train = all.slice(0..<3000), validation = all.slice(55_000..<55_500)
    var options = TrainingOptions()
    options.epochs = 3
    options.augment = false
    let trainer = Trainer(architecture: try Architecture("c8k5,bn,p2,c16k5,bn,p2,d32,d11"), options: options)
    var sizes: [Int] = []
    let extra = { (epoch: Int) -> DigitSet in
      let set = Rejection.trainingNegatives(digits: train, fraction: 0.25, seed: 7, epoch: epoch)
      sizes.append(set.count)
      return set
    }
    let checkValidation = validation.appending(Rejection.validationNegatives(digits: validation, fraction: 0.25, seed: 7))
    try trainer.train(train, validation: checkValidation, extra: extra)
    #expect(trainer.history.count == 3)
    #expect(sizes.allSatisfy { $0 == 750 })
    // Each epoch's negatives are new, and the same for the same epoch.
    let e0 = Rejection.trainingNegatives(digits: train, fraction: 0.25, seed: 7, epoch: 0)
    #expect(e0.pixels == Rejection.trainingNegatives(digits: train, fraction: 0.25, seed: 7, epoch: 0).pixels)
    #expect(e0.pixels != Rejection.trainingNegatives(digits: train, fraction: 0.25, seed: 7, epoch: 1).pixels)

    let negatives = Negatives.generate(count: 280, seed: 99, style: .heldOut, digits: validation)
    let float = trainer.predict(negatives)
    #expect(float.allSatisfy { (0...10).contains($0) })
    // Three short epochs: most negatives and most digits already right.
    #expect(float.filter { $0 == 10 }.count >= 180, "\(float.filter { $0 == 10 }.count) of 280 rejected")
    #expect(trainer.evaluate(validation).accuracy > 0.85)

    // Int8 through the runtime: class 10 comes back as "not a digit".
    let model = try Model(try Quantizer.quantize(trainer, calibration: checkValidation, method: .percentile(99.99), name: "t").encoded())
    #expect(model.info.classCount == 11)
    let int8 = try Rejection.answers(model, negatives)
    let agree = zip(int8, float).filter { $0 == $1 }.count
    #expect(agree >= 260, "int8 and float agree on \(agree) of 280")
  }
}
