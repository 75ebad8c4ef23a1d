import DigitInferFormat
import Foundation
import Testing

/// "Not a digit" through the CLI: classify, eval and inspect with models
/// whose outputs are fixed logits whatever the image (SyntheticModel.constant:
/// a logit 32 below the best weighs 145315229 against the best's 2^30).
@Suite struct NotADigitCLITests {
  static func constantModel(_ logits: [Int8]) throws -> Data { Data(try SyntheticModel.constant(logits).encoded()) }

  /// Refuses everything: ten digits at -16 but 7 at 0, "not a digit" at 16.
  static let refusing: [Int8] = [-16, -16, -16, -16, -16, -16, -16, 0, -16, -16, 16]

  /// An IDX image file and its label file: `labels.count` blank 28x28 images.
  static func idx(_ dir: TemporaryDirectory, labels: [UInt8]) -> (images: String, labels: String) {
    func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
    let images = [0, 0, 8, 3] + be32(labels.count) + be32(28) + be32(28) + [UInt8](repeating: 0, count: 784 * labels.count)
    return (
      dir.write("images-idx3-ubyte", Data(images)), dir.write("labels-idx1-ubyte", Data([0, 0, 8, 1] + be32(labels.count) + labels))
    )
  }

  @Test func classifySaysNotADigit() throws {
    let dir = try TemporaryDirectory()
    let model = dir.write("refusing.dgi", try Self.constantModel(Self.refusing))
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let text = try CLI.run(["--model", model, seven])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.hasPrefix("\(seven): not a digit ("), "\(text.stdout)")
    #expect(text.stdout.contains("; best guess 7, "))

    let json = try CLI.run(["--model", model, "--json", seven])
    let object = try #require(try CLI.jsonLines(json.stdout).first)
    #expect(object["digit"] is NSNull)
    #expect(object["not_a_digit"] as? Bool == true && object["best_digit"] as? Int == 7)
    let probabilities = try #require(object["probabilities"] as? [Double])
    let notADigit = try #require(object["not_a_digit_probability"] as? Double)
    #expect(object["confidence"] as? Double == notADigit)
    #expect(object["best_confidence"] as? Double == probabilities[7] && probabilities.max() == probabilities[7])
    #expect(probabilities.count == 10 && abs(probabilities.reduce(0, +) + notADigit - 1) < 1e-5)
  }

  /// By hand: 2^30 / (2^30 + 10 * 145315229) = 42.49% for "not a digit",
  /// 145315229 / 2526894114 = 5.75% for each digit; the first of ten tied
  /// digits is the best guess.
  @Test func theTextByHand() throws {
    let dir = try TemporaryDirectory()
    let model = dir.write("m.dgi", try Self.constantModel([Int8](repeating: -16, count: 10) + [16]))
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let run = try CLI.run(["--model", model, seven])
    #expect(run.stdout.hasPrefix("\(seven): not a digit (42.5%; best guess 0, 5.8%)  top 3: 0 5.8%, 1 5.8%, 2 5.8%"), "\(run.stdout)")
  }

  @Test func aTenClassModelAnswersAsBefore() throws {
    let dir = try TemporaryDirectory()
    var logits = [Int8](repeating: -16, count: 10)
    logits[3] = 16
    let model = dir.write("ten.dgi", try Self.constantModel(logits))
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let object = try #require(try CLI.jsonLines(CLI.run(["--model", model, "--json", seven]).stdout).first)
    #expect(Set(object.keys) == ["file", "digit", "not_a_digit", "confidence", "probabilities"])
    #expect(object["digit"] as? Int == 3 && object["not_a_digit"] as? Bool == false)
  }

  @Test func evalCountsRefusalsAsErrors() throws {
    let dir = try TemporaryDirectory()
    let model = dir.write("refusing.dgi", try Self.constantModel(Self.refusing))
    let set = Self.idx(dir, labels: [1, 2, 7])
    let json = try CLI.run(["eval", "--model", model, "--json", set.images, set.labels])
    #expect(json.status == 0, "\(json.stderr)")
    let result = try #require(try CLI.jsonLines(json.stdout).first)
    #expect(result["total"] as? Int == 3 && result["correct"] as? Int == 0 && result["accuracy"] as? Double == 0)
    #expect(result["not_a_digit"] as? Int == 3 && result["rejection_rate"] as? Double == 1)
    #expect(result["recall"] as? [Double] == [Double](repeating: 0, count: 10))
    #expect((result["confusion"] as? [[Int]])?.joined().reduce(0, +) == 0)

    let text = try CLI.run(["eval", "--model", model, "--errors", dir.path + "/errors", set.images, set.labels])
    #expect(text.stdout.contains("not a digit  3 images (100.00%: the model refused them; counted as errors)"), "\(text.stdout)")
    let errors = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/errors").sorted()
    #expect(errors == ["00000-true1-notadigit.png", "00001-true2-notadigit.png", "00002-true7-notadigit.png"])

    // A model that answers 7: two of three wrong, none refused.
    var logits = [Int8](repeating: -16, count: 11)
    logits[7] = 16
    let seven = dir.write("seven.dgi", try Self.constantModel(logits))
    let answered = try #require(try CLI.jsonLines(CLI.run(["eval", "--model", seven, "--json", set.images, set.labels]).stdout).first)
    #expect(answered["correct"] as? Int == 1 && answered["not_a_digit"] as? Int == 0)
  }

  @Test func inspectShowsTheClasses() throws {
    let dir = try TemporaryDirectory()
    let model = dir.write("refusing.dgi", try Self.constantModel(Self.refusing))
    let text = try CLI.run(["inspect", model])
    #expect(text.stdout.contains("classes      11 (the digits 0-9 and \"not a digit\")"), "\(text.stdout)")
    #expect(text.stdout.contains("format       .dgi 1.2,"))
    let object = try #require(try CLI.jsonLines(CLI.run(["inspect", "--json", model]).stdout).first)
    #expect(object["classes"] as? Int == 11 && object["not_a_digit"] as? Bool == true)
    let shipped = try CLI.run(["inspect", CLI.defaultModel])
    #expect(shipped.stdout.contains("classes      11 (the digits 0-9 and \"not a digit\")"))
  }
}
