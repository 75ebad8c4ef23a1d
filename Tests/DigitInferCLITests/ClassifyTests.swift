import DigitInferImage
import Foundation
import Testing

/// `digitinfer-cli [classify] IMAGE...` as a user runs it.
@Suite struct ClassifyTests {
  /// Every sample in models/samples is read as the digit its name ends in.
  /// A failure here means preprocessing or the model got a real image wrong:
  /// report it, do not loosen the test.
  @Test func samplesAreReadAsTheirDigit() throws {
    let samples = CLI.sampleImages()
    #expect(samples.count >= 6, "models/samples should hold the six sample images")
    for sample in samples {
      let run = try CLI.run([sample.path])
      #expect(run.status == 0, "\(sample.path): \(run.stderr)")
      #expect(run.lines.count == 1)
      #expect(run.stdout.hasPrefix("\(sample.path): \(sample.digit) ("), "\(sample.path): \(run.stdout)")
      #expect(run.stdout.contains("top 3: \(sample.digit) "))
    }
  }

  /// Exactly {"file","digit","not_a_digit","confidence","probabilities"} per image
  /// (and "not_a_digit_probability" from a model with that class), and
  /// {"file","error"} for one that fails, with the good ones still answered
  /// and a non-zero status.
  @Test func jsonLinesShape() throws {
    let dir = try TemporaryDirectory()
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let one = dir.write("one.pgm", Drawing.pgm(Drawing.one))
    let weird = dir.write("not \"an\"\timage\\.png", Data("hello, world".utf8))
    let blank = dir.write("blank.pgm", Drawing.pgm(Drawing.blank))
    let run = try CLI.run(["--json", seven, weird, one, blank, dir.path + "/missing.png"])
    #expect(run.status == 1)
    let objects = try CLI.jsonLines(run.stdout)
    #expect(objects.count == 5)
    #expect(objects.map { $0["file"] as? String } == [seven, weird, one, blank, dir.path + "/missing.png"])

    for (index, expected) in [(0, 7), (2, 1)] {
      let object = objects[index]
      let notADigit = object["not_a_digit_probability"] as? Double
      let keys: Set = ["file", "digit", "not_a_digit", "confidence", "probabilities"]
      #expect(Set(object.keys) == (notADigit == nil ? keys : keys.union(["not_a_digit_probability"])))
      #expect(object["not_a_digit"] as? Bool == false)
      #expect(object["digit"] as? Int == expected)
      let probabilities = try #require(object["probabilities"] as? [Double])
      #expect(probabilities.count == 10)
      #expect(abs(probabilities.reduce(0, +) + (notADigit ?? 0) - 1) < 1e-3)
      #expect(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
      let confidence = try #require(object["confidence"] as? Double)
      #expect(confidence == probabilities[expected])
      #expect(confidence == probabilities.max())
    }
    for index in [1, 3, 4] {
      #expect(Set(objects[index].keys) == ["file", "error"])
      #expect(!((objects[index]["error"] as? String) ?? "").isEmpty)
    }
    #expect((objects[4]["error"] as? String)?.contains("no such file") == true)
    // Each failure is also one line on standard error, naming the file.
    #expect(run.errorLines.count == 3)
    #expect(run.errorLines.allSatisfy { $0.hasPrefix("digitinfer-cli: ") })
    #expect(run.errorLines.contains { $0.hasPrefix("digitinfer-cli: \(blank): ") })
  }

  @Test func exitStatuses() throws {
    let dir = try TemporaryDirectory()
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let one = dir.write("one.pgm", Drawing.pgm(Drawing.one))
    let bad = dir.write("bad.png", Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]))

    let good = try CLI.run([seven, one])
    #expect(good.status == 0)
    #expect(good.lines.count == 2 && good.stderr.isEmpty)

    let mixed = try CLI.run([seven, bad, one])
    #expect(mixed.status == 1)
    #expect(mixed.lines.count == 2)
    #expect(mixed.lines[0].hasPrefix("\(seven): 7 ") && mixed.lines[1].hasPrefix("\(one): 1 "))
    #expect(mixed.errorLines.count == 1 && mixed.errorLines[0].hasPrefix("digitinfer-cli: \(bad): "))

    // A missing model: one line, status 2, nothing classified.
    let noModel = try CLI.run(["--model", dir.path + "/nope.dgi", seven])
    #expect(noModel.status == 2)
    #expect(noModel.stdout.isEmpty)
    #expect(noModel.errorLines == ["digitinfer-cli: \(dir.path)/nope.dgi: no such file"])

    // A model that is not one.
    let notModel = try CLI.run(["--model", seven, one])
    #expect(notModel.status == 2 && notModel.errorLines.count == 1)
    #expect(notModel.stderr.hasPrefix("digitinfer-cli: \(seven): "))

    // An empty model file says so (it used to say "the buffer is shorter
    // than the file claims"); a directory among the images is "an image".
    let empty = dir.write("empty.dgi", Data())
    let emptyModel = try CLI.run(["--model", empty, seven])
    #expect(emptyModel.status == 2)
    #expect(emptyModel.errorLines == ["digitinfer-cli: \(empty): empty file, not a .dgi model"])
    let folder = dir.path + "/folder.dgi"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let folderModel = try CLI.run(["--model", folder, seven])
    #expect(folderModel.errorLines == ["digitinfer-cli: \(folder): is a directory, expected a model file"])
    // An image over the size limit (a sparse file: no disk used).
    let huge = dir.write("huge.png", Data())
    let handle = try #require(FileHandle(forWritingAtPath: huge))
    try handle.truncate(atOffset: UInt64(256 << 20) + 1)  // the CLI's limit, InputExpansion.maximumFileBytes
    try handle.close()
    let hugeRun = try CLI.run([seven, huge])
    #expect(hugeRun.status == 1)
    #expect(hugeRun.errorLines.count == 1 && hugeRun.errorLines[0].hasSuffix("MiB limit for an image file"),
      "\(hugeRun.errorLines)")

    // A FIFO among the inputs, or as the model, is an error for itself and
    // never blocks (opening one with no writer used to wait forever).
    let fifos = try TemporaryDirectory()
    _ = fifos.write("a.pgm", Drawing.pgm(Drawing.seven))
    #expect(mkfifo(fifos.path + "/b.png", 0o600) == 0)
    _ = fifos.write("c.pgm", Drawing.pgm(Drawing.one))
    let withFifo = try CLI.run(["--json", fifos.path], timeout: 60)
    #expect(withFifo.status == 1, "status \(withFifo.status) (-1: it blocked)")
    let objects = try CLI.jsonLines(withFifo.stdout)
    #expect(objects.map { $0["digit"] as? Int } == [7, nil, 1])
    #expect((objects.count == 3 ? objects[1]["error"] as? String : nil)?.contains("not a regular file") == true)
    let fifoModel = try CLI.run(["--model", fifos.path + "/b.png", seven], timeout: 60)
    #expect(fifoModel.status == 2)
    #expect(fifoModel.errorLines.first?.hasSuffix("not a regular file (a FIFO, device or socket), expected a model file") == true)

    // $DIGITINFER_MODEL is used when --model is absent.
    let envModel = try CLI.run([seven], environment: ["DIGITINFER_MODEL": dir.path + "/env.dgi"])
    #expect(envModel.status == 2 && envModel.stderr.contains("env.dgi"))

    // Usage errors are ArgumentParser's (EX_USAGE).
    #expect(try CLI.run([]).status == 64)
    #expect(try CLI.run(["--ink", "purple", seven]).status == 64)
    #expect(try CLI.run(["--json", "--show", seven]).status == 64)
  }

  @Test func standardInput() throws {
    let run = try CLI.run(["--json", "-"], stdin: Drawing.pgm(Drawing.seven))
    #expect(run.status == 0, "\(run.stderr)")
    let objects = try CLI.jsonLines(run.stdout)
    #expect(objects.count == 1)
    #expect(objects.first?["file"] as? String == "-")
    #expect(objects.first?["digit"] as? Int == 7)

    let empty = try CLI.run(["-"], stdin: Data())
    #expect(empty.status == 1 && empty.stderr.hasPrefix("digitinfer-cli: -: "))
  }

  @Test func directoryArgument() throws {
    let dir = try TemporaryDirectory()
    _ = dir.write("b-one.PGM", Drawing.pgm(Drawing.one))
    _ = dir.write("a-seven.pgm", Drawing.pgm(Drawing.seven))
    _ = dir.write("notes.txt", Data("not an image".utf8))
    _ = dir.write(".hidden.pgm", Data("hidden".utf8))
    try FileManager.default.createDirectory(atPath: dir.path + "/sub.png", withIntermediateDirectories: false)
    let run = try CLI.run(["--json", dir.path])
    #expect(run.status == 0, "\(run.stderr)")
    let objects = try CLI.jsonLines(run.stdout)
    #expect(objects.map { $0["file"] as? String } == [dir.path + "/a-seven.pgm", dir.path + "/b-one.PGM"])
    #expect(objects.map { $0["digit"] as? Int } == [7, 1])

    let empty = try TemporaryDirectory()
    let none = try CLI.run([empty.path])
    #expect(none.status == 1 && none.stderr.contains("no image files"))

    // The samples directory: one answer per sample, in name order.
    let samples = CLI.sampleImages()
    if !samples.isEmpty {
      let all = try CLI.run([CLI.samples])
      #expect(all.lines.map { $0.components(separatedBy: ": ").first! } == samples.map(\.path))
    }
  }

  @Test func savePreprocessedWritesDecodable28x28PNGs() throws {
    let dir = try TemporaryDirectory()
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let out = dir.path + "/made/on/demand"
    let run = try CLI.run(["--save-preprocessed", out, seven, "-"], stdin: Drawing.pgm(Drawing.one))
    #expect(run.status == 0, "\(run.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(files == ["seven.png", "stdin.png"])
    for file in files {
      let image = try ImageDecoder.decode(contentsOfFile: out + "/" + file)
      #expect(image.width == 28 && image.height == 28)
      // MNIST-like: background 0, some full ink, digit in the middle.
      #expect(image.pixels.contains(255) && image[0, 0] == 0 && image[27, 27] == 0)
    }
  }

  @Test func showDrawsTheModelInput() throws {
    let dir = try TemporaryDirectory()
    let seven = dir.write("seven.pgm", Drawing.pgm(Drawing.seven))
    let run = try CLI.run(["--show", seven])
    #expect(run.status == 0)
    // Not a terminal: ASCII, a frame of 28 rows, two characters per pixel.
    #expect(run.lines.count == 1 + 30)
    #expect(run.lines[1] == "  +" + String(repeating: "-", count: 56) + "+")
    #expect(run.lines[2...29].allSatisfy { $0.count == 2 + 58 && $0.hasPrefix("  |") && $0.hasSuffix("|") })
    #expect(run.lines[2...29].contains { $0.contains("@") })
  }

  @Test func helpDocumentsExitStatusAndExamples() throws {
    let run = try CLI.run(["--help"])
    #expect(run.status == 0)
    #expect(run.stdout.contains("Exit status:") && run.stdout.contains("Examples:"))
    for command in ["classify", "eval", "inspect", "bench"] {
      let help = try CLI.run([command, "--help"])
      #expect(help.status == 0)
      #expect(help.stdout.contains("Examples:"), "\(command) --help has no examples")
    }
  }
}

/// Small handwriting-like test images, drawn here so that these tests do
/// not depend on any file: dark pen strokes on grey paper.
enum Drawing {
  static let width = 60, height = 80

  static let seven = draw([[(12, 12), (48, 12), (26, 70)]])
  static let one = draw([[(22, 22), (32, 10), (32, 70)]])
  static let blank = [UInt8](repeating: 200, count: width * height)

  static func draw(_ strokes: [[(Double, Double)]], pen: Double = 3.5) -> [UInt8] {
    var pixels = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
      for x in 0..<width {
        let p = (Double(x) + 0.5, Double(y) + 0.5)
        var ink = 0.0
        for stroke in strokes {
          for (a, b) in zip(stroke, stroke.dropFirst()) {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1)
            let t = max(0, min(1, ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)))
            let (ex, ey) = (p.0 - a.0 - t * dx, p.1 - a.1 - t * dy)
            ink = max(ink, min(1, max(0, pen / 2 + 0.5 - (ex * ex + ey * ey).squareRoot())))
          }
        }
        pixels[y * width + x] = UInt8((205 * (1 - ink) + 30 * ink).rounded())
      }
    }
    return pixels
  }

  /// Binary PGM (P5).
  static func pgm(_ pixels: [UInt8]) -> Data {
    Data("P5\n\(width) \(height)\n255\n".utf8) + Data(pixels)
  }
}
