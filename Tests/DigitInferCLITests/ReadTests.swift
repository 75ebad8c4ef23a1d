import DigitInferImage
import Foundation
import Testing

/// `digitinfer-cli read IMAGE...`: whole numbers, drawn here with the
/// strokes of ClassifyTests' Drawing, each digit in its own 60x80 cell.
@Suite struct ReadTests {
  /// A ring for 0, by the same pen as Drawing's 7 and 1.
  static let zero = Drawing.draw([
    (0...32).map { i in
      let angle = Double(i) / 32 * 2 * .pi
      return (30 + 14 * sin(angle), 40 - 27 * cos(angle))
    }
  ])

  /// The cells side by side: a number `cells.count` digits long, as a PGM.
  static func number(_ cells: [[UInt8]]) -> Data {
    let width = Drawing.width * cells.count
    var pixels: [UInt8] = []
    for y in 0..<Drawing.height {
      for cell in cells { pixels += cell[y * Drawing.width..<(y + 1) * Drawing.width] }
    }
    return Data("P5\n\(width) \(Drawing.height)\n255\n".utf8) + Data(pixels)
  }

  /// Every drawn number in models/numbers (tools/samples: plain, lined and
  /// squared paper, a whiteboard photo, a touching pair) is read as the
  /// number its name ends in (number-lined-2026.png -> 2026). A failure
  /// means preprocessing or the reader got a real image wrong: report it,
  /// do not loosen the test.
  @Test func numberSamplesAreReadAsTheirNumber() throws {
    let dir = CLI.packageRoot.appendingPathComponent("models/numbers").path
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(names.count >= 5, "models/numbers should hold the five number samples")
    for name in names {
      let stem = (name as NSString).deletingPathExtension
      let number = String(stem.split(separator: "-").last ?? "")
      let path = dir + "/" + name
      let run = try CLI.run(["read", path])
      #expect(run.status == 0, "\(path): \(run.stderr)")
      #expect(run.stdout.hasPrefix("\(path): \(number) ("), "\(path): \(run.stdout)")
    }
  }

  @Test func textOutput() throws {
    let dir = try TemporaryDirectory()
    let file = dir.write("717.pgm", Self.number([Drawing.seven, Drawing.one, Drawing.seven]))
    let run = try CLI.run(["read", file])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.lines.count == 1)
    // FILE: 717 (7 p%, 1 p%, 7 p%)
    let line = try #require(run.lines.first)
    #expect(line.hasPrefix("\(file): 717 ("), "\(line)")
    let inner = line.dropFirst("\(file): 717 (".count).dropLast()
    let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(parts.count == 3)
    for (part, digit) in zip(parts, ["7", "1", "7"]) {
      #expect(part.hasPrefix(digit + " ") && part.hasSuffix("%"), "\(part)")
    }
    #expect(line.hasSuffix(")"))
  }

  /// {"file","number","digits"} per image (each digit {"digit",
  /// "confidence","box","split"}), {"file","error"} for one that fails,
  /// the good ones still read, and status 1. A page without ink is an
  /// error too (DGI_ERROR_NO_INK), as for classify. Leading zeros stay.
  @Test func jsonShape() throws {
    let dir = try TemporaryDirectory()
    let number = dir.write("071.pgm", Self.number([Self.zero, Drawing.seven, Drawing.one]))
    let bad = dir.write("bad.png", Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]))
    let blank = dir.write("blank.pgm", Drawing.pgm(Drawing.blank))
    let run = try CLI.run(["read", "--json", number, bad, blank])
    #expect(run.status == 1)
    let objects = try CLI.jsonLines(run.stdout)
    #expect(objects.map { $0["file"] as? String } == [number, bad, blank])
    guard objects.count == 3 else { return }

    #expect(Set(objects[0].keys) == ["file", "number", "digits"])
    #expect(objects[0]["number"] as? String == "071")
    let digits = try #require(objects[0]["digits"] as? [[String: Any]])
    #expect(digits.count == 3)
    for (index, digit) in digits.enumerated() {
      #expect(Set(digit.keys) == ["digit", "confidence", "box", "split"])
      #expect(digit["digit"] as? Int == [0, 7, 1][index])
      let confidence = try #require(digit["confidence"] as? Double)
      #expect(confidence > 0.5 && confidence <= 1)
      #expect(digit["split"] as? Bool == false)
      let box = try #require(digit["box"] as? [String: Int])
      #expect(Set(box.keys) == ["x", "y", "width", "height"])
      // Each box lies in its digit's cell and covers most of its stroke's height.
      let (x, y, w, h) = (box["x"]!, box["y"]!, box["width"]!, box["height"]!)
      #expect(x >= index * Drawing.width && x + w <= (index + 1) * Drawing.width, "\(box)")
      #expect(y >= 0 && y + h <= Drawing.height && h >= 50, "\(box)")
    }

    for failed in objects[1...] {
      #expect(Set(failed.keys) == ["file", "error"])
      #expect(!((failed["error"] as? String) ?? "").isEmpty)
    }
    #expect(run.errorLines.count == 2)
    #expect(run.errorLines.first?.hasPrefix("digitinfer-cli: \(bad): ") == true)
    #expect(run.errorLines.last?.hasPrefix("digitinfer-cli: \(blank): ") == true)
  }

  /// Ink the model reads none of as a digit (a long dash) is an error of
  /// its own (DGI_ERROR_NOT_A_DIGIT), not "nothing on the paper".
  @Test func aDashIsNotANumber() throws {
    let dir = try TemporaryDirectory()
    let dash = dir.write(
      "dash.pgm",
      Self.number([
        Drawing.draw([[(10, 40), (60, 40)]], pen: 6), Drawing.draw([[(0, 40), (60, 40)]], pen: 6),
        Drawing.draw([[(0, 40), (50, 40)]], pen: 6),
      ]))
    let run = try CLI.run(["read", "--json", dash])
    #expect(run.status == 1)
    let object = try #require(try CLI.jsonLines(run.stdout).first)
    #expect(Set(object.keys) == ["file", "error"])
    #expect((object["error"] as? String)?.contains("none of the ink as a digit") == true, "\(object)")
    #expect(run.errorLines == ["digitinfer-cli: \(dash): no digit found: the model read none of the ink as a digit"])
  }

  /// --show writes one PNG per image, named after it, the image's size,
  /// with the boxes drawn: the pixels just outside each box are no longer
  /// paper.
  @Test func showDrawsTheBoxes() throws {
    let dir = try TemporaryDirectory()
    let file = dir.write("71.pgm", Self.number([Drawing.seven, Drawing.one]))
    let out = dir.path + "/shown"
    let run = try CLI.run(["read", "--json", "--show", out, file])
    #expect(run.status == 0, "\(run.stderr)")
    let digits = try #require(try CLI.jsonLines(run.stdout).first?["digits"] as? [[String: Any]])
    #expect(digits.count == 2)
    let png = try #require(FileManager.default.contents(atPath: out + "/71.png"))
    let image = try ImageDecoder.decode([UInt8](png))
    #expect(image.width == 2 * Drawing.width && image.height == Drawing.height)
    for digit in digits {
      let box = try #require(digit["box"] as? [String: Int])
      let (x, y, w, h) = (box["x"]!, box["y"]!, box["width"]!, box["height"]!)
      // The frame is drawn just outside the box; clipped at the image's edges.
      let left = max(0, x - 1), right = min(image.width - 1, x + w)
      for row in max(0, y)..<min(image.height, y + h) {
        #expect(image[left, row] != 205 || image[right, row] != 205, "row \(row) of \(box) not framed")
      }
    }
    // Paper far from any digit is left alone.
    #expect(image[0, image.height - 1] == 205)
  }

  @Test func usageErrors() throws {
    let none = try CLI.run(["read"])
    #expect(none.status == 64)
    let twoStdin = try CLI.run(["read", "-", "-"])
    #expect(twoStdin.status == 64)
  }
}
