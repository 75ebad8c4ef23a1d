import DigitInferData
import Foundation
import Testing

@testable import DigitInferTraining

/// Wrongly cut pieces of touching pairs: deterministic, fitted like a model
/// input, and each a whole digit with part of its neighbour.
@Suite struct CutPiecesTests {
  @Test func sameSeedSameImagesOtherSeedOthers() {
    let digits = NegativesTests.digits
    let a = CutPieces.generate(from: digits, count: 24, seed: 5, name: "a")
    let b = CutPieces.generate(from: digits, count: 24, seed: 5, name: "b")
    let c = CutPieces.generate(from: digits, count: 24, seed: 6, name: "c")
    #expect(a.pixels == b.pixels)
    #expect(a.pixels != c.pixels)
    #expect(a.count == 24 && a.classes == 11 && a.labels.allSatisfy { $0 == 10 })
    // Image i does not depend on how many are made.
    #expect(Array(a.pixels[0..<(8 * 784)]) == CutPieces.generate(from: digits, count: 8, seed: 5, name: "d").pixels)
  }

  /// Every piece holds more than a digit:
  /// made from copies of one drawn 7 (a bar and a stem), each piece is
  /// wider for its height than that 7 fitted alone, by the neighbour's part
  /// that sticks out of it.
  @Test func everyPieceIsADigitWithPartOfItsNeighbour() throws {
    var seven = [UInt8](repeating: 0, count: 784)
    for y in 4..<24 { for x in 6..<22 where y < 8 || (x >= 16 && x < 20) { seven[y * 28 + x] = 255 } }
    let digits = try DigitSet(name: "sevens", rows: 28, columns: 28, pixels: seven + seven, labels: [7, 7])
    let fitted = try #require(Negatives.fitted(seven, side: 28, allowNarrow: true))
    let alone = try #require(InkBox(fitted, threshold: 64))
    let pieces = CutPieces.generate(from: digits, count: 30, seed: 9, name: "pieces")
    for i in 0..<pieces.count {
      let image = Array(pieces.image(i))
      let box = try #require(InkBox(image, threshold: 64), "piece \(i): no ink")
      #expect(box.width * alone.height > alone.width * box.height, "piece \(i): \(box) no wider than the 7 alone, \(alone)")
    }
  }

  /// `--cut-pieces`: an 11-class run's generated images gain that share of
  /// the training digits in cut pieces, after what it made before, which
  /// stays as it was (0, the default, reproduces earlier runs).
  @Test func exporterAppendsCutPiecesAndKeepsTheRest() throws {
    let train = NegativesTests.digits.slice(0..<20), validation = NegativesTests.digits.slice(0..<10)
    let trainer = Trainer(architecture: try Architecture("c4k5,p2,d11"), options: TrainingOptions())
    var settings = Exporter.Settings()
    let plain = Exporter(trainer: trainer, train: train, validationDigits: validation, settings: settings)
    settings.cutPieces = 0.5
    let cut = Exporter(trainer: trainer, train: train, validationDigits: validation, settings: settings)
    let before = try #require(plain.extra?(3)), after = try #require(cut.extra?(3))
    #expect(after.count == before.count + 10)
    #expect(Array(after.pixels[0..<(before.count * 784)]) == before.pixels)
    #expect(after.labels.suffix(10).allSatisfy { $0 == 10 })
    #expect(cut.validation.count == plain.validation.count + 5)
    #expect(Array(cut.validation.pixels[0..<(plain.validation.count * 784)]) == plain.validation.pixels)
  }
}
