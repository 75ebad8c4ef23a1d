import Foundation
import Testing

@testable import DigitInferSupport

/// What a writer killed part way leaves, and what the next write does with
/// it. tools/test-export-interrupt.sh kills real export-model runs; these
/// build the states by hand, so that each is certain to be covered.
@Suite struct AtomicFileTests {
  func contents(_ directory: URL, _ name: String) -> String? {
    (try? Data(contentsOf: directory.appendingPathComponent(name))).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func aGroupKilledAmongItsRenamesIsFinishedByTheNextWrite() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let a = directory.appendingPathComponent("m.dgi").path
    let b = directory.appendingPathComponent("m.json").path
    try AtomicFile.write([(a, Data("old a".utf8)), (b, Data("old b".utf8))])
    // Killed after renaming the first file: the second's temporary and the
    // journal naming both remain (the journal is written only once every
    // temporary is complete).
    let tempA = directory.appendingPathComponent(".m.dgi.99999999.1.tmp").path
    let tempB = directory.appendingPathComponent(".m.json.99999999.2.tmp").path
    try Data("new b".utf8).write(to: URL(fileURLWithPath: tempB))
    try Data("new a".utf8).write(to: URL(fileURLWithPath: a))
    try Data("\(tempA)\u{0}\(a)\u{0}\(tempB)\u{0}\(b)\u{0}".utf8).write(
      to: directory.appendingPathComponent(".m.dgi.journal"))

    try AtomicFile.recover([a, b])
    #expect(contents(directory, "m.dgi") == "new a")
    #expect(contents(directory, "m.json") == "new b")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["m.dgi", "m.json"])
  }

  /// Output folders (--show, --errors, --save-accepted): made with their
  /// parents, an existing one accepted, a regular file in the way refused
  /// with its path in the message.
  @Test func outputFoldersAreMadeOrRefusedClearly() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let nested = directory.appendingPathComponent("a/b/c").path
    try AtomicFile.createDirectory(at: nested)
    try AtomicFile.createDirectory(at: nested)
    var isDirectory: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue)

    let file = directory.appendingPathComponent("plain").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    do {
      try AtomicFile.createDirectory(at: file + "/inside")
      Issue.record("a directory was made under a regular file")
    } catch {
      #expect(error.description.contains("cannot create the directory \(file)/inside"))
    }
  }

  @Test func temporariesOfDeadWritersGoAndThoseOfLiveOnesStay() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("run.ckpt").path
    // No process has PID 99999999 (Linux's limit is 2^22); PID 1 always runs.
    let dead = ".run.ckpt.99999999.5.tmp", live = ".run.ckpt.1.6.tmp", other = ".other.99999999.7.tmp"
    for name in [dead, live, other] { try Data("part".utf8).write(to: directory.appendingPathComponent(name)) }
    try AtomicFile.write(Data("whole".utf8), to: path)
    #expect(contents(directory, "run.ckpt") == "whole")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [live, other, "run.ckpt"].sorted())
  }
}
