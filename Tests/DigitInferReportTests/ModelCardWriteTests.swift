import Foundation
import Testing

@testable import DigitInferReport

@Suite struct ModelCardWriteTests {
  let expectedFiles: Set = ["mnist-int8.md", "mnist-int8.json", "mnist-int8-training.svg"]

  func files(in directory: URL) throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
  }

  @Test func writesThreeFilesAndNoTemporaries() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let card = sampleCard()
    try card.write(to: directory.path)
    #expect(try files(in: directory) == expectedFiles)
    let md = try String(contentsOf: directory.appendingPathComponent("mnist-int8.md"), encoding: .utf8)
    #expect(md == card.markdown())
    let json = try Data(contentsOf: directory.appendingPathComponent("mnist-int8.json"))
    #expect(try JSONDecoder().decode(ModelCard.self, from: json) == card)
    let svg = try String(contentsOf: directory.appendingPathComponent("mnist-int8-training.svg"), encoding: .utf8)
    #expect(svg.hasPrefix("<?xml"))
  }

  @Test func overwritesExistingFiles() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for file in expectedFiles {
      try Data("old and much longer than nothing".utf8).write(to: directory.appendingPathComponent(file))
    }
    var card = sampleCard()
    try card.write(to: directory.path)
    card.seed = 8
    try card.write(to: directory.path)
    #expect(try files(in: directory) == expectedFiles)
    let json = try Data(contentsOf: directory.appendingPathComponent("mnist-int8.json"))
    #expect(try JSONDecoder().decode(ModelCard.self, from: json).seed == 8)
    let md = try String(contentsOf: directory.appendingPathComponent("mnist-int8.md"), encoding: .utf8)
    #expect(md.hasPrefix("# mnist-int8"))
  }

  @Test func missingDirectoryThrowsAndLeavesNothing() throws {
    let parent = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: parent) }
    let missing = parent.appendingPathComponent("missing")
    #expect(throws: ReportError.self) { try sampleCard().write(to: missing.path) }
    #expect(try files(in: parent).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: missing.path))
  }

  @Test func failedRenameLeavesNoTemporaries() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // A directory where the JSON should go: the rename onto it fails.
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("mnist-int8.json/keep"), withIntermediateDirectories: true)
    #expect(throws: ReportError.self) { try sampleCard().write(to: directory.path) }
    #expect(try files(in: directory).allSatisfy { !$0.hasSuffix(".tmp") })
  }

  /// A FIFO, a symbolic link or a device node where a file should go is
  /// refused before anything is written, and stays what it was (a rename
  /// once put a regular file in place of --out /dev/null).
  @Test func neverReplacesWhatIsNotARegularFile() throws {
    for kind in ["fifo", "symlink"] {
      let directory = try temporaryDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let target = directory.appendingPathComponent("mnist-int8.json").path
      if kind == "fifo" {
        #expect(mkfifo(target, 0o600) == 0)
      } else {
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: "elsewhere.json")
      }
      #expect(throws: ReportError.self) { try sampleCard().write(to: directory.path) }
      var status = stat()
      #expect(lstat(target, &status) == 0)
      #expect(status.st_mode & S_IFMT == (kind == "fifo" ? S_IFIFO : S_IFLNK), "\(kind) was replaced")
      #expect(try files(in: directory) == ["mnist-int8.json"], "\(kind): other files were written")
    }
  }

  @Test func rejectsNamesThatAreNotFileNames() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ["", "..", "a/b"] {
      #expect(throws: ReportError.self) { try sampleCard(name: name).write(to: directory.path) }
    }
    #expect(try files(in: directory).isEmpty)
  }
}
