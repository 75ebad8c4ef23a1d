import Foundation
import Testing

/// `eval` against the shipped model's card, which the trainer measured
/// with the same runtime: the figures must agree exactly.
@Suite(.enabled(if: TestData.mnist != nil, "MNIST not found in $DIGITINFER_DATA or ../shared/data; eval tests skipped"))
struct EvalTests {
  @Test func mnistTestSetMatchesTheModelCard() throws {
    let mnist = try #require(TestData.mnist)
    let run = try CLI.run([
      "eval", "--json", "--model", CLI.defaultModel,
      TestData.file(mnist, "t10k-images-idx3-ubyte"), TestData.file(mnist, "t10k-labels-idx1-ubyte"),
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let cardData = try #require(FileManager.default.contents(atPath: CLI.packageRoot.path + "/models/mnist-int8.json"))
    let card = try #require(try JSONSerialization.jsonObject(with: cardData) as? [String: Any])
    let int8 = try #require(card["int8Test"] as? [String: Any])

    #expect(result["total"] as? Int == 10000)
    #expect(result["correct"] as? Int == int8["correct"] as? Int)
    #expect(result["accuracy"] as? Double == int8["accuracy"] as? Double)
    // eval's matrix is the digits' (a refusal is in no column); an 11-class
    // card's has the "not a digit" row and column too.
    let confusion = try #require(int8["confusion"] as? [[Int]]).prefix(10).map { Array($0.prefix(10)) }
    #expect(result["confusion"] as? [[Int]] == confusion)
    #expect(result["precision"] as? [Double] == (int8["precision"] as? [Double]).map { Array($0.prefix(10)) })
    #expect(result["recall"] as? [Double] == (int8["recall"] as? [Double]).map { Array($0.prefix(10)) })

    let keys: Set<String> = [
      "model", "kernels", "images", "labels", "preprocess", "ink", "total", "correct", "accuracy", "no_ink",
      "not_a_digit", "rejection_rate", "precision", "recall", "support", "confusion", "seconds", "threads", "images_per_second",
    ]
    #expect(Set(result.keys) == keys)
    // The card's rejections (an 11-class model's), or none.
    let rejected = (card["notADigit"] as? [String: Any])?["rejectedTestDigits"] as? Int ?? 0
    #expect(result["not_a_digit"] as? Int == rejected && result["rejection_rate"] as? Double == Double(rejected) / 10000)
    #expect((result["images_per_second"] as? Double ?? 0) > 0)
  }

  @Test func textReportAndErrorImages() throws {
    let mnist = try #require(TestData.mnist)
    let dir = try TemporaryDirectory()
    let run = try CLI.run([
      "eval", "--limit", "2000", "--errors", dir.path + "/errors",
      TestData.file(mnist, "t10k-images-idx3-ubyte"), TestData.file(mnist, "t10k-labels-idx1-ubyte"),
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("accuracy     "))
    #expect(run.stdout.contains("confusion (rows: true digit, columns: predicted)"))
    #expect(run.stdout.contains("digit  precision   recall  support"))
    #expect(run.stdout.contains("images/s"))
    let errors = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/errors")
    #expect(!errors.isEmpty)
    #expect(errors.allSatisfy { $0.range(of: #"^\d{5}-true\d-pred\d\.png$"#, options: .regularExpression) != nil })
  }

  @Test func wrongSizeWithoutPreprocessIsOneClearLine() throws {
    let semeion = try #require(TestData.semeion, "semeion not found")
    let run = try CLI.run(["eval", semeion.images, semeion.labels])
    #expect(run.status == 2)
    #expect(run.errorLines.count == 1)
    #expect(run.stderr.contains("16x16") && run.stderr.contains("--preprocess"))

    let usage = try CLI.run(["eval", semeion.images])
    #expect(usage.status == 64)
  }
}
