import Foundation
import Testing

@testable import DigitInferImage

/// The drawn samples in models/samples, read back through the decoder: the
/// sizes the tool promises, the paper where it belongs, and the digit
/// where it was drawn.
@Suite struct SampleImageTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../models/samples").standardized.path

  /// The background is the most common value; ink is anything at least 60
  /// levels away from it. Returns the background and the ink's bounding box.
  func analyse(_ image: GrayImage) -> (background: Int, minX: Int, minY: Int, maxX: Int, maxY: Int, ink: Int) {
    var histogram = [Int](repeating: 0, count: 256)
    for p in image.pixels { histogram[Int(p)] += 1 }
    let background = histogram.indices.max { histogram[$0] < histogram[$1] }!
    var box = (minX: Int.max, minY: Int.max, maxX: -1, maxY: -1, ink: 0)
    for y in 0..<image.height {
      for x in 0..<image.width where abs(Int(image[x, y]) - background) >= 60 {
        box = (min(box.minX, x), min(box.minY, y), max(box.maxX, x), max(box.maxY, y), box.ink + 1)
      }
    }
    return (background, box.minX, box.minY, box.maxX, box.maxY, box.ink)
  }

  @Test(arguments: [
    ("pen-on-paper-4.jpg", 600, 800, true),
    ("chalk-on-board-3.png", 400, 400, false),
    ("transparent-2.png", 256, 256, true),
    ("small-offcentre-5.png", 1024, 768, true),
    ("paint-program-8.png", 300, 300, true),
    ("scan-9.pgm", 200, 280, true),
  ])
  func sample(name: String, width: Int, height: Int, lightPaper: Bool) throws {
    let path = Self.directory + "/" + name
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    #expect(size < 100_000, "keep samples small")
    let image = try ImageDecoder.decode(contentsOfFile: path)
    #expect(image.width == width && image.height == height)
    let found = analyse(image)
    #expect(lightPaper ? found.background > 128 : found.background < 128, "background \(found.background)")
    // A digit, not specks: a tall box holding a fair amount of ink.
    let boxHeight = found.maxY - found.minY + 1
    #expect(found.ink > 400 && boxHeight > 50, "\(found)")
    if name.hasPrefix("small-offcentre") {
      #expect((55...70).contains(boxHeight), "\(found)")
      #expect(found.minX > width / 2 && found.maxY < height / 2, "the digit sits in the top right quarter")
    }
    if name.hasPrefix("transparent") {
      // Dark strokes on transparency come out on white paper.
      #expect(found.background == 255)
    }
  }
}
