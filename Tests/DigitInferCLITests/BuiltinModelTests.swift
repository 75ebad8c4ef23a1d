import DigitInferBuiltinModel
import Foundation
import Testing

/// The copy of models/mnist-int8.dgi compiled into digitinfer-cli.
@Suite struct BuiltinModelTests {
  /// A stale embed (the model retrained, the object not rebuilt) fails here.
  @Test func embeddedBytesEqualTheShippedModel() throws {
    var size = 0
    let pointer = try #require(digitinfer_builtin_model(&size))
    let embedded = Data(bytes: pointer, count: size)
    let file = try #require(FileManager.default.contents(atPath: CLI.defaultModel))
    #expect(embedded.count == file.count)
    #expect(embedded == file, "the model compiled into digitinfer-cli differs from models/mnist-int8.dgi: rebuild")
    #expect(Int(bitPattern: pointer) % 16 == 0)
  }

  /// The executable copied alone into an empty directory, run from there,
  /// finds no model file and uses its own copy.
  @Test func executableAloneUsesTheBuiltinModel() throws {
    let dir = try TemporaryDirectory()
    let copy = dir.path + "/digitinfer-cli"
    try FileManager.default.copyItem(atPath: CLI.executable, toPath: copy)
    _ = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))

    let inspect = try CLI.run(["inspect"], directory: dir.path, executable: copy)
    #expect(inspect.status == 0, "\(inspect.stderr)")
    #expect(inspect.lines.first?.hasPrefix("model        built-in") == true, "\(inspect.stdout)")

    let run = try CLI.run(["--verbose", "seven.pgm"], directory: dir.path, executable: copy)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("seven.pgm: 7 "))
    #expect(run.errorLines.first?.hasPrefix("model: built-in") == true)
    for sample in CLI.sampleImages() {
      let answer = try CLI.run([sample.path], directory: dir.path, executable: copy)
      #expect(answer.stdout.hasPrefix("\(sample.path): \(sample.digit) "), "\(answer.stdout)\(answer.stderr)")
    }
  }

  /// Built in this package, the CLI uses the package's models/ file,
  /// from whatever directory it is run.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["DIGITINFER_CLI"] == nil, "$DIGITINFER_CLI may live anywhere"))
  func builtExecutableUsesThePackageModel() throws {
    let dir = try TemporaryDirectory()
    let run = try CLI.run(["inspect"], directory: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    let expected = URL(fileURLWithPath: CLI.defaultModel).resolvingSymlinksInPath().path
    #expect(run.lines.first == "model        \(expected)")
  }
}
