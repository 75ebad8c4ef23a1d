import Foundation
import Testing

/// export-model never replaces a file unless asked (--overwrite), and says
/// so before any data is loaded or any training starts: each run here
/// names a data directory that does not exist, so getting past the check
/// would end in an MNIST error instead.
@Suite struct ExportModelTests {
  static let missingData = ["--data", "/nonexistent/digitinfer-mnist"]

  static func export(_ arguments: [String], in directory: String) throws -> CLI.Run {
    try CLI.run(["--int8"] + arguments + missingData, directory: directory, executable: CLI.exportModel, timeout: 60)
  }

  @Test(arguments: ["m.dgi", "m.md", "m.json", "m-training.svg"])
  func refusesToReplaceAnyFileOfTheGroup(existing: String) throws {
    let dir = try TemporaryDirectory()
    let old = Data("an older model, not to be lost\n".utf8)
    let path = dir.write(existing, old)
    let run = try Self.export(["--out", "m.dgi"], in: dir.path)
    #expect(run.status != 0)
    #expect(run.stderr.contains("\(existing) exists") && run.stderr.contains("--overwrite"), "\(run.stderr)")
    #expect(!run.stderr.contains("MNIST"), "data loaded before the check: \(run.stderr)")
    #expect(!run.stdout.contains("MNIST from"))
    #expect(FileManager.default.contents(atPath: path) == old)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [existing])
  }

  @Test func refusesToReplaceTheDefaultOutputInTheCurrentDirectory() throws {
    let dir = try TemporaryDirectory()
    let old = Data("old\n".utf8)
    let path = dir.write("mnist-int8.dgi", old)
    let run = try Self.export([], in: dir.path)
    #expect(run.status != 0)
    #expect(run.stderr.contains("mnist-int8.dgi exists") && run.stderr.contains("--overwrite"), "\(run.stderr)")
    #expect(!run.stderr.contains("MNIST"))
    #expect(FileManager.default.contents(atPath: path) == old)
  }

  @Test func refusesToStartACheckpointOverAnOldOne() throws {
    let dir = try TemporaryDirectory()
    let old = Data("checkpoint\n".utf8)
    let path = dir.write("run.ckpt", old)
    let run = try Self.export(["--out", "m.dgi", "--checkpoint", "run.ckpt"], in: dir.path)
    #expect(run.status != 0)
    #expect(run.stderr.contains("run.ckpt exists") && run.stderr.contains("--resume"), "\(run.stderr)")
    #expect(FileManager.default.contents(atPath: path) == old)
    // Continuing it is not replacing it: the run goes on to the data.
    let resumed = try Self.export(["--out", "m.dgi", "--checkpoint", "run.ckpt", "--resume"], in: dir.path)
    #expect(resumed.status != 0 && resumed.stderr.contains("MNIST"), "\(resumed.stderr)")
  }

  @Test func overwriteGoesOnToTheData() throws {
    let dir = try TemporaryDirectory()
    _ = dir.write("m.dgi", Data("old\n".utf8))
    let run = try Self.export(["--out", "m.dgi", "--overwrite"], in: dir.path)
    #expect(run.status != 0 && run.stderr.contains("MNIST"), "\(run.stderr)")
    #expect(!run.stderr.contains("exists"))
  }

  @Test func helpExplainsTheDefaultAndTheShippedModel() throws {
    let run = try CLI.run(["--help"], executable: CLI.exportModel)
    #expect(run.status == 0)
    let text = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(text.contains("mnist-int8.dgi, mnist-int8.md, mnist-int8.json and mnist-int8-training.svg in the current directory"))
    #expect(text.contains("--out models/mnist-int8.dgi --overwrite"))
    #expect(text.contains("--overwrite"))
  }
}
