import DigitInferData
import DigitInferImage
import Foundation
import Testing

@testable import make_numbers

/// make-numbers: the same images for a seed, a manifest that says what is
/// drawn, and touching pairs whose ink really meets. The digits are shapes
/// drawn here (not MNIST), so the tests need no data set.
@Suite struct GeneratorTests {
  /// Ten 28x28 "digits" in MNIST's layout (255 = ink on 0): rings and bars
  /// of different sizes, each labelled with its index.
  static let set: DigitSet = {
    var pixels: [UInt8] = []
    for label in 0..<10 {
      let (rx, ry) = (3.0 + Double(label) * 0.6, 9.0)
      for y in 0..<28 {
        for x in 0..<28 {
          let (dx, dy) = ((Double(x) - 13.5) / rx, (Double(y) - 13.5) / ry)
          let r = (dx * dx + dy * dy).squareRoot()
          // A ring for even labels, a filled ellipse for odd ones.
          let inside = label % 2 == 0 ? r <= 1 && r >= 0.55 : r <= 1
          pixels.append(inside ? 255 : 0)
        }
      }
    }
    return try! DigitSet(name: "shapes", rows: 28, columns: 28, pixels: pixels, labels: (0..<10).map(UInt8.init))
  }()

  @Test func sameSeedSameImage() {
    for index in [0, 7, 31] {
      let a = NumberImage(index: index, seed: 5, from: Self.set, lengths: 1...8)
      let b = NumberImage(index: index, seed: 5, from: Self.set, lengths: 1...8)
      #expect(a.image == b.image)
      #expect(a.manifestRow(file: "x.png") == b.manifestRow(file: "x.png"))
    }
    let other = (0..<8).filter {
      NumberImage(index: $0, seed: 5, from: Self.set, lengths: 1...8).image
        != NumberImage(index: $0, seed: 6, from: Self.set, lengths: 1...8).image
    }
    #expect(other.count == 8, "another seed should draw other images")
  }

  /// The manifest's number is the labels of the digits drawn, its length
  /// is the number's, its sizes are the image's, and each box holds ink
  /// while the page outside every box holds none.
  @Test func manifestDescribesTheImage() throws {
    let header = NumberImage.manifestHeader.split(separator: "\t").map(String.init)
    for index in 0..<40 {
      let number = NumberImage(index: index, seed: 11, from: Self.set, lengths: 1...8)
      let fields = number.manifestRow(file: "n.png").split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      #expect(fields.count == header.count)
      let row = Dictionary(uniqueKeysWithValues: zip(header, fields))
      let sources = try #require(row["mnist_test_indices"]).split(separator: ";").map { Int($0)! }
      #expect(row["number"] == sources.map { String(Self.set.labels[$0]) }.joined())
      #expect(row["length"] == String(sources.count))
      #expect((1...8).contains(sources.count))
      #expect(row["width"] == String(number.image.width) && row["height"] == String(number.image.height))
      #expect(Background(rawValue: row["background"]!) != nil)
      #expect(NumberImage.digitHeights.map(String.init).contains(row["digit_height"]!))

      let boxes = try #require(row["boxes"]).split(separator: ";").map { $0.split(separator: ",").map { Int($0)! } }
      #expect(boxes.count == sources.count)
      // Reading order: each box starts right of the one before.
      #expect(zip(boxes, boxes.dropFirst()).allSatisfy { $0[0] < $1[0] })
      let ink = number.layout.inkLayer()
      let width = number.layout.width
      var inBox = [Bool](repeating: false, count: ink.count)
      for box in boxes {
        #expect(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= width && box[1] + box[3] <= number.layout.height)
        var count = 0
        for y in box[1]..<box[1] + box[3] {
          for x in box[0]..<box[0] + box[2] {
            inBox[y * width + x] = true
            if ink[y * width + x] >= 0.5 { count += 1 }
          }
        }
        #expect(count >= box[2] + box[3], "a box should hold a digit's ink")
      }
      #expect(!zip(ink, inBox).contains { $0 >= 0.5 && !$1 }, "ink outside every box")
    }
  }

  /// Pairs said to touch share a connected piece of ink (8-neighbours);
  /// pairs said to stand apart do not. Counted by flood-filling the drawn
  /// ink, not by the generator's own check.
  @Test func touchingPairsTouch() {
    var seen = [0, 0, 0]
    for index in 0..<60 {
      let number = NumberImage(index: index, seed: 3, from: Self.set, lengths: 2...8)
      let layout = number.layout
      let pieces = Self.components(layout.inkLayer(), width: layout.width, height: layout.height)
      // The pieces of ink each digit's own pixels lie in.
      let digitPieces: [Set<Int>] = layout.digits.map { d in
        var found: Set<Int> = []
        for gy in 0..<d.glyph.height {
          for gx in 0..<d.glyph.width where d.glyph.isInk(gx, gy) {
            found.insert(pieces[(d.y + gy) * layout.width + d.x + gx])
          }
        }
        return found
      }
      let touching = zip(digitPieces, digitPieces.dropFirst()).filter { !$0.isDisjoint(with: $1) }.count
      #expect(touching == number.touching, "image \(index): \(touching) pairs share ink, the manifest says \(number.touching)")
      // Touching only neighbours: no digit shares ink with one two or more places away.
      for i in digitPieces.indices {
        for j in digitPieces.indices where j > i + 1 {
          #expect(digitPieces[i].isDisjoint(with: digitPieces[j]) || (i..<j).allSatisfy { !digitPieces[$0].isDisjoint(with: digitPieces[$0 + 1]) })
        }
      }
      seen[min(2, number.touching)] += 1
    }
    #expect(seen.allSatisfy { $0 >= 5 }, "numbers with 0, 1 and 2 touching pairs should all occur: \(seen)")
  }

  /// Separated neighbours keep at least the asked-for gap between their
  /// inks, on every row and its neighbours; touching ones overlap.
  @Test func layoutGaps() throws {
    let one = Glyph(label: 1, source: 1, image: Self.set.image(1), height: 40, aspect: 1, shear: 0)
    let zero = Glyph(label: 0, source: 0, image: Self.set.image(0), height: 40, aspect: 1, shear: 0.1)
    for gap in [3, 7, 20] {
      let layout = Layout(glyphs: [zero, one], gaps: [.apart(gap)], slope: 0, drop: [0, 3], margin: (5, 5, 5, 5))
      let (a, b) = (layout.digits[0], layout.digits[1])
      var nearest = Int.max
      for y in 0..<layout.height {
        for x in 0..<layout.width where b.isInk(x, y) {
          for dy in -1...1 {
            for ax in 0..<layout.width where a.isInk(ax, y + dy) { nearest = min(nearest, x - ax) }
          }
        }
      }
      #expect(nearest == gap)
      #expect(layout.touchingPairs == [false])
    }
    let touching = Layout(glyphs: [zero, one], gaps: [.touching(overlap: 2)], slope: 0, drop: [0, 0], margin: (0, 0, 0, 0))
    #expect(touching.touchingPairs == [true])
    // The margins are paper round the ink's boxes.
    let framed = Layout(glyphs: [zero], gaps: [], slope: 0, drop: [0], margin: (4, 6, 8, 10))
    #expect(framed.width == zero.width + 12 && framed.height == zero.height + 16)
  }

  /// Each pixel's 8-connected piece of ink (coverage >= 0.5), -1 for paper.
  static func components(_ ink: [Float], width: Int, height: Int) -> [Int] {
    var label = [Int](repeating: -1, count: ink.count)
    var next = 0
    for start in ink.indices where ink[start] >= 0.5 && label[start] < 0 {
      var stack = [start]
      label[start] = next
      while let i = stack.popLast() {
        let (x, y) = (i % width, i / width)
        for dy in -1...1 {
          for dx in -1...1 {
            let (nx, ny) = (x + dx, y + dy)
            guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
            let j = ny * width + nx
            if ink[j] >= 0.5 && label[j] < 0 {
              label[j] = next
              stack.append(j)
            }
          }
        }
      }
      next += 1
    }
    return label
  }
}
