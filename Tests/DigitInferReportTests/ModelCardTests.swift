import Foundation
import Testing

@testable import DigitInferReport

@Suite struct ModelCardTests {
  @Test func jsonRoundTripsThroughPlainDecoder() throws {
    let card = sampleCard()
    let decoded = try JSONDecoder().decode(ModelCard.self, from: Data(card.json().utf8))
    #expect(decoded == card)
    #expect(card.json() == decoded.json())
  }

  @Test func jsonIsSortedAndCarriesDerivedFigures() throws {
    let json = sampleCard().json()
    let keys = ["\"architecture\"", "\"calibration\"", "\"command\"", "\"dataset\"", "\"date\""]
    let offsets = keys.map { json.range(of: $0)?.lowerBound }
    #expect(!offsets.contains(nil))
    #expect(offsets.compactMap { $0 } == offsets.compactMap { $0 }.sorted())
    #expect(json.contains("\"correct\" : 9912"))
    #expect(json.contains("models/mnist-int8.dgi"))  // slashes not escaped
  }

  /// A diverged run still gets a card, and reads back.
  @Test func nonFiniteLossesSurviveJSON() throws {
    var history = epochs(3)
    history[1].trainLoss = .nan
    history[2].validationLoss = .infinity
    let card = sampleCard(history: history)
    let decoded = try ModelCard(json: card.json())
    #expect(decoded.epochs[1].trainLoss.isNaN)
    #expect(decoded.epochs[2].validationLoss == .infinity)
    #expect(decoded.epochs[0] == card.epochs[0])
    #expect(card.markdown().contains("| NaN |"))
  }

  @Test func markdownHasTheKeyFigures() {
    let md = sampleCard().markdown()
    #expect(md.hasPrefix("# mnist-int8\n"))
    #expect(md.contains("| Test accuracy, int8 | 99.12% (9,912 / 10,000) |"))
    #expect(md.contains("| Test accuracy, float | 99.15% (9,915 / 10,000) |"))
    #expect(md.contains("| Int8 minus float | -0.03 points |"))
    #expect(md.contains("| Validation accuracy, int8 | 99.06% |"))
    #expect(md.contains("| Parameters | 12,345 |"))
    #expect(md.contains("| Multiply-accumulates per image | 1,234,567 |"))
    #expect(md.contains("| File size | 13,456 bytes (13.1 KiB) |"))
    #expect(md.contains("| Training time | 2 min 13 s (5 epochs) |"))
    #expect(md.contains("```sh\nexport-model --int8 --epochs 5 --seed 7 --out models/mnist-int8.dgi\n```"))
    #expect(md.contains("](mnist-int8-training.svg)"))
    #expect(md.contains("percentile 99.99"))
    #expect(md.contains("CC BY-SA 3.0"))
    #expect(md.contains("| 1 | conv2d 5x5 1->16 valid, ReLU  28x28x1 -> 24x24x16  416 params  230,400 MACs |"))
    // Digit 0: 1,000 images, float 99.10%, int8 99.20%.
    #expect(md.contains("| 0 | 1,000 | 99.10% | 99.20% |"))
  }

  @Test func confusionTableHasOneRowPerDigit() throws {
    let md = sampleCard().markdown()
    let section = try #require(md.components(separatedBy: "## Int8 confusion matrix").last)
      .components(separatedBy: "\n## ")[0]
    let tableLines = section.split(separator: "\n").filter { $0.hasPrefix("|") }
    #expect(tableLines.count == 12)  // header, alignment, ten digits
    let rows = tableLines.dropFirst(2)
    #expect(rows.count == 10)
    for (digit, row) in rows.enumerated() {
      #expect(row.hasPrefix("| **\(digit)** |"))
      #expect(row.split(separator: "|").count == 11)
    }
    #expect(rows.first == "| **0** | **992** | 8 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |")
  }

  @Test func markdownEscapesTablesAndFences() {
    var card = sampleCard(history: [])
    card.layers = ["odd | layer"]
    card.command = "echo ```x```"
    let md = card.markdown()
    #expect(md.contains("| 1 | odd \\| layer |"))
    #expect(md.contains("````sh\necho ```x```\n````"))
    #expect(md.contains("No training history recorded."))
  }
}
