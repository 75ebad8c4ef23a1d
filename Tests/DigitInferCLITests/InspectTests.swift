import Foundation
import Testing

@Suite struct InspectTests {
  @Test func describesTheShippedModel() throws {
    let run = try CLI.run(["inspect", CLI.defaultModel])
    #expect(run.status == 0, "\(run.stderr)")
    let text = run.stdout
    #expect(text.contains("model        \(CLI.defaultModel)"))
    #expect(text.contains("format       .dgi 1.2"))  // 1.2: it has the "not a digit" class
    #expect(text.contains("name         mnist-int8"))
    #expect(text.contains("checksum     ok (CRC-32 0x"))
    #expect(text.contains("architecture"))
    // Layer shapes, height x width x channels, as the model card lists them.
    for shape in ["28x28x1", "24x24x20", "12x12x20", "8x8x40", "4x4x40", "1x1x640", "1x1x160", "1x1x11"] {
      #expect(text.contains(shape), "no layer shape \(shape) in:\n\(text)")
    }
    #expect(text.contains("conv2d") && text.contains("maxpool2d") && text.contains("dense"))
    // 24*24*20*25 + 8*8*40*500 + 640*160 + 160*11 (TrainingTests has the first two).
    #expect(text.contains("MACs         1,672,160 per image"))

    let json = try CLI.run(["inspect", "--json", CLI.defaultModel])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["checksum_ok"] as? Bool == true)
    #expect((object["layers"] as? [Any])?.count == 7)
    #expect(object["macs"] as? Int == 1_672_160)
  }

  @Test func failsOnACorruptedCopy() throws {
    var bytes = [UInt8](try #require(FileManager.default.contents(atPath: CLI.defaultModel)))
    bytes[bytes.count / 2] ^= 0x10
    let dir = try TemporaryDirectory()
    let corrupt = dir.write("corrupt.dgi", Data(bytes))
    let run = try CLI.run(["inspect", corrupt])
    #expect(run.status == 2)
    #expect(run.stdout.isEmpty)
    #expect(run.errorLines == ["digitinfer-cli: \(corrupt): model corrupt: CRC-32 mismatch"])

    let truncated = dir.write("truncated.dgi", Data(bytes.prefix(100)))
    let short = try CLI.run(["inspect", truncated])
    #expect(short.status == 2 && short.errorLines.count == 1 && short.stderr.contains("truncated"))
  }
}
