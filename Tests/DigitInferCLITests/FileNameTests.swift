import Foundation
import Testing

/// File names that are any bytes: not UTF-8, with control characters, too
/// long. Each is opened by its exact bytes, never skipped, and shown on
/// exactly one line (issue 11, defect 2).
@Suite struct FileNameTests {
  static func name(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
  static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

  /// A name that is not UTF-8 used to be read as U+FFFD by the argument
  /// parser and reported "no such file".
  @Test func nonUTF8ArgumentIsOpenedByItsBytes() throws {
    let dir = try TemporaryDirectory()
    let seven = try dir.write(bytes: Self.name(Self.text("x"), [0xFF], Self.text(".pgm")), Drawing.pgm(Drawing.seven))
    let run = try CLI.run(bytes: [seven])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines.count == 1 && run.lines.first?.hasPrefix("\(dir.path)/x\\xff.pgm: 7 (") == true, "\(run.stdout)")

    // JSON: the escaped form, and the exact bytes in hexadecimal.
    let json = try CLI.run(bytes: [Self.text("--json"), seven])
    let objects = try CLI.jsonLines(json.stdout)
    #expect(objects.count == 1)
    #expect(objects.first?["file"] as? String == "\(dir.path)/x\\xff.pgm")
    #expect(objects.first?["file_bytes"] as? String == seven.map { String(format: "%02x", $0) }.joined())
    #expect(objects.first?["digit"] as? Int == 7)
  }

  /// UTF-8 is checked as RFC 3629 has it: a surrogate, an overlong form or
  /// a cut sequence is invalid bytes; a 4-byte character is text. A name
  /// holding the private-use characters that stand in for invalid bytes on
  /// the way through the argument parser still opens as itself.
  @Test func utf8IsCheckedStrictlyAndArgumentsRoundTrip() throws {
    let dir = try TemporaryDirectory()
    let names: [(bytes: [UInt8], file: String)] = [
      (Self.name(Self.text("s"), [0xED, 0xA0, 0x80]), "s\\xed\\xa0\\x80"),
      (Self.name(Self.text("o"), [0xC0, 0xAF]), "o\\xc0\\xaf"),
      (Self.name(Self.text("t"), [0xF0, 0x9F, 0x98]), "t\\xf0\\x9f\\x98"),
      (Self.text("u\u{1F600}"), "u\u{1F600}"),
      (Self.text("v\u{F7FF}\u{F780}"), "v\u{F7FF}\u{F780}"),
    ]
    let paths = try names.map { try dir.write(bytes: $0.bytes + Self.text(".pgm"), Drawing.pgm(Drawing.seven)) }
    let run = try CLI.run(bytes: [Self.text("--json")] + paths)
    #expect(run.status == 0, "\(run.stderr)")
    let objects = try CLI.jsonLines(run.stdout)
    #expect(objects.map { $0["file"] as? String } == names.map { "\(dir.path)/\($0.file).pgm" })
    #expect(objects.map { $0["file_bytes"] != nil } == [true, true, true, false, false])
    #expect(objects.map { $0["digit"] as? Int } == Array(repeating: 7, count: names.count))
  }

  /// Inside a directory such names used to be skipped, and the run said
  /// every image was classified.
  @Test func nonUTF8NamesInADirectoryAreClassifiedNotSkipped() throws {
    let dir = try TemporaryDirectory()
    _ = dir.write("a.pgm", Drawing.pgm(Drawing.seven))
    _ = try dir.write(bytes: Self.name(Self.text("b"), [0xFE], Self.text(".pgm")), Drawing.pgm(Drawing.one))
    _ = try dir.write(bytes: Self.name(Self.text("c"), [0xC3, 0x28], Self.text(".PNG")), Data("not an image".utf8))
    // A link to nothing used to be dropped from the listing too.
    try FileManager.default.createSymbolicLink(atPath: dir.path + "/d.png", withDestinationPath: dir.path + "/missing")
    let run = try CLI.run([dir.path])
    #expect(run.status == 1)
    // Sorted by bytes; each name escaped.
    #expect(run.lines.map { $0.components(separatedBy: ": ").first! } == ["\(dir.path)/a.pgm", "\(dir.path)/b\\xfe.pgm"])
    #expect(run.lines.count == 2 && run.lines[1].hasPrefix("\(dir.path)/b\\xfe.pgm: 1 ("))
    #expect(run.errorLines.count == 2)
    #expect(run.errorLines.first?.hasPrefix("digitinfer-cli: \(dir.path)/c\\xc3(.PNG: not an image") == true, "\(run.stderr)")
    #expect(run.errorLines.last == "digitinfer-cli: \(dir.path)/d.png: no such file")
  }

  /// The argument parser's own messages show such bytes as \xNN too (not
  /// as U+FFFD, nor as the private-use characters that carry them).
  @Test func parserMessagesShowBytes() throws {
    let run = try CLI.run(bytes: [Self.text("--ink"), Self.name(Self.text("d"), [0xFF]), Self.text("-")])
    #expect(run.status == 64)
    #expect(run.stderr.contains("'d\\xff'"), "\(run.stderr)")
    let help = try CLI.run(["--help"])
    #expect(help.status == 0 && help.stdout.contains("Exit status:") && help.stderr.isEmpty)
  }

  /// The rules above are documented where users look.
  @Test func helpDocumentsTheNameRules() throws {
    let help = try CLI.run(["classify", "--help"])
    #expect(help.stdout.contains("\"file_bytes\"") && help.stdout.contains("\\xNN"))
    for command in ["eval", "inspect", "bench"] {
      #expect(try CLI.run([command, "--help"]).stdout.contains("model_bytes"), "\(command) --help")
    }
  }

  /// A newline in a name used to split the answer line, so that a crafted
  /// name could print a line of its own that looked like an answer.
  @Test func controlCharactersInANameAreEscaped() throws {
    let dir = try TemporaryDirectory()
    let forged = dir.write("a.png\nb.png: 7 (99.9%)", Drawing.pgm(Drawing.one))
    let tabbed = dir.write("tab\there\u{1B}[31m back\\slash\u{85}.pgm", Drawing.pgm(Drawing.seven))
    let broken = dir.write("broken\r\n.pgm", Data("P5 nonsense".utf8))
    let run = try CLI.run([forged, tabbed, broken])
    #expect(run.status == 1)
    #expect(run.lines.count == 2, "\(run.stdout)")
    #expect(run.lines.first?.hasPrefix("\(dir.path)/a.png\\nb.png: 7 (99.9%): 1 (") == true, "\(run.stdout)")
    #expect(run.lines.last?.hasPrefix("\(dir.path)/tab\\there\\x1b[31m back\\\\slash\\xc2\\x85.pgm: 7 (") == true, "\(run.stdout)")
    #expect(run.errorLines.count == 1)
    #expect(run.errorLines.first?.hasPrefix("digitinfer-cli: \(dir.path)/broken\\r\\n.pgm: ") == true, "\(run.stderr)")

    // JSON: a UTF-8 name is given exactly (JSON escapes its controls).
    let json = try CLI.run(["--json", forged])
    let objects = try CLI.jsonLines(json.stdout)
    #expect(objects.count == 1 && objects.first?["file"] as? String == forged)
    #expect(objects.first?["file_bytes"] == nil)
  }

  /// Names over PATH_MAX or with a component over NAME_MAX said "no such
  /// file" or "cannot open: File name too long".
  @Test func tooLongNamesSaySo() throws {
    let dir = try TemporaryDirectory()
    let longPath = dir.path + String(repeating: "/a", count: 2500) + ".png"
    let longComponent = dir.path + "/" + String(repeating: "c", count: 300) + ".png"
    let run = try CLI.run([longPath, longComponent])
    #expect(run.status == 1)
    #expect(run.errorLines == ["digitinfer-cli: \(longPath): file name too long", "digitinfer-cli: \(longComponent): file name too long"])
    let model = try CLI.run(["--model", longComponent, "-"], stdin: Drawing.pgm(Drawing.seven))
    #expect(model.status == 2)
    #expect(model.errorLines == ["digitinfer-cli: \(longComponent): file name too long"])
  }

  /// eval's data files are named in one line too (a newline in the name
  /// used to split the error message).
  @Test func evalNamesItsFilesOnOneLine() throws {
    let dir = try TemporaryDirectory()
    let images = dir.write("a\nb-images", Data())
    let labels = dir.write("a\nb-labels", Data())
    let run = try CLI.run(["eval", "--model", CLI.defaultModel, images, labels])
    #expect(run.status == 2)
    // Whichever file is read first is reported.
    let expected = ["images", "labels"].map { "digitinfer-cli: \(dir.path)/a\\nb-\($0): empty file" }
    #expect(run.errorLines.count == 1 && expected.contains(run.errorLines[0]), "\(run.stderr)")
  }

  /// --model and inspect open a model by its bytes too.
  @Test func nonUTF8ModelName() throws {
    let dir = try TemporaryDirectory()
    let modelData = try #require(FileManager.default.contents(atPath: CLI.defaultModel))
    let model = try dir.write(bytes: Self.name(Self.text("m"), [0xFF], Self.text(".dgi")), modelData)
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let run = try CLI.run(bytes: [Self.text("--model"), model, Self.text(seven)])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines.first?.hasPrefix("\(seven): 7 (") == true)

    let inspect = try CLI.run(bytes: [Self.text("inspect"), Self.text("--json"), model])
    #expect(inspect.status == 0, "\(inspect.stderr)")
    let object = try CLI.jsonLines(inspect.stdout).first
    #expect(object?["model"] as? String == "\(dir.path)/m\\xff.dgi")
    #expect(object?["model_bytes"] as? String == model.map { String(format: "%02x", $0) }.joined())

    let empty = try dir.write(bytes: Self.name(Self.text("e"), [0x80], Self.text(".dgi")), Data())
    let emptyRun = try CLI.run(bytes: [Self.text("--model"), empty, Self.text(seven)])
    #expect(emptyRun.errorLines == ["digitinfer-cli: \(dir.path)/e\\x80.dgi: empty file, not a .dgi model"])
  }

  /// --save-preprocessed names each PNG after the escaped name: one
  /// component, valid UTF-8, no control characters. A directory argument
  /// that is not UTF-8 is refused rather than made under another name.
  @Test func savedInputsAreNamedAfterTheEscapedName() throws {
    let dir = try TemporaryDirectory()
    let input = try TemporaryDirectory()
    let odd = try input.write(bytes: Self.name(Self.text("x"), [0xFF], Self.text(".pgm")), Drawing.pgm(Drawing.seven))
    let newline = input.write("n\nl.pgm", Drawing.pgm(Drawing.one))
    let out = dir.path + "/out"
    let run = try CLI.run(bytes: [Self.text("--save-preprocessed"), Self.text(out), odd, Self.text(newline)])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["n\\nl.png", "x\\xff.png"])

    let refused = try CLI.run(bytes: [Self.text("--save-preprocessed"), Self.name(Self.text(dir.path + "/o"), [0xFF]), Self.text(newline)])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("--save-preprocessed \(dir.path)/o\\xff: only UTF-8 names are supported here"), "\(refused.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out"])
  }
}
