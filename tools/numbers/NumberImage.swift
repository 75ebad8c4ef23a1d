import DigitInferData
import DigitInferImage
import DigitInferSupport
import Foundation

/// One generated number: its picture and what the manifest says of it.
struct NumberImage {
  let number: String
  /// The nominal digit height in pixels (one of `NumberImage.digitHeights`).
  let digitHeight: Int
  let page: Page
  /// Gap indices (i: between digit i and i+1) that separate groups ("326 751").
  let groupGaps: [Int]
  let layout: Layout
  let image: GrayImage

  /// Nominal digit heights, the "resolutions" of the set: from a number
  /// written small in a photo to one filling a phone's frame.
  static let digitHeights = [20, 32, 48, 72, 120]

  /// Neighbours touching: 0, 1 or 2 pairs, at most length - 1.
  var touching: Int { layout.touchingPairs.filter { $0 }.count }
  var sources: [Int] { layout.digits.map(\.glyph.source) }

  static let manifestHeader = [
    "file", "number", "length", "touching", "digit_height", "background", "group_gaps", "blur", "noise",
    "width", "height", "boxes", "mnist_test_indices",
  ].joined(separator: "\t")

  /// The manifest line: tab-separated, in `manifestHeader`'s order; boxes
  /// as x,y,width,height of each digit's ink, `;` between digits.
  func manifestRow(file: String) -> String {
    let boxes = layout.digits.map { d in let b = d.box; return "\(b.x),\(b.y),\(b.width),\(b.height)" }
    return [
      file, number, String(number.count), String(touching), String(digitHeight), page.background.rawValue,
      groupGaps.map(String.init).joined(separator: ";"), String(format: "%.2f", page.blur), String(format: "%.1f", page.noise),
      String(image.width), String(image.height), boxes.joined(separator: ";"), sources.map(String.init).joined(separator: ";"),
    ].joined(separator: "\t")
  }

  /// Image `index` of the set drawn with `seed`, from the digits of `set`
  /// (the MNIST test set), `lengths` digits long. Each image has its own
  /// random stream, so image i is the same whatever the count.
  init(index: Int, seed: UInt64, from set: DigitSet, lengths: ClosedRange<Int>) {
    var random = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
    _ = random.next()
    let length = random.integer(lengths)
    let heightIndex = random.integer(0...Self.digitHeights.count - 1)
    digitHeight = Self.digitHeights[heightIndex]
    let size = Double(digitHeight) * random.uniform(0.92, 1.08)

    // Half the numbers separated, the rest with one or two touching pairs.
    let r = random.uniform(0, 1)
    let touchCount = min(length - 1, r < 0.5 ? 0 : r < 0.8 ? 1 : 2)
    var pairs = Array(0..<max(0, length - 1))
    var touchAt: Set<Int> = []
    for _ in 0..<touchCount { touchAt.insert(pairs.remove(at: random.integer(0...pairs.count - 1))) }
    // Thousands grouping in some numbers of 4 digits or more: a wide gap
    // before each group of three from the right.
    let grouped = length >= 4 && random.chance(0.3)
    let groups = grouped ? (0..<length - 1).filter { (length - 1 - $0) % 3 == 0 && !touchAt.contains($0) } : []
    groupGaps = groups

    let slant = random.uniform(-0.05, 0.25)
    let slope = tan(random.uniform(-3, 3) * .pi / 180)
    var glyphs: [Glyph] = []
    var drop: [Double] = []
    for _ in 0..<length {
      let source = random.integer(0...set.count - 1)
      glyphs.append(
        Glyph(
          label: Int(set.labels[source]), source: source, image: set.image(source),
          height: size * random.uniform(0.85, 1.15), aspect: random.uniform(0.85, 1.15),
          shear: slant + random.uniform(-0.06, 0.06)))
      drop.append(random.gaussian(0.04 * size))
    }
    let gaps: [Layout.Gap] = (0..<max(0, length - 1)).map { i in
      if touchAt.contains(i) { return .touching(overlap: random.integer(1...max(1, Int((0.08 * size).rounded())))) }
      let width = groups.contains(i) ? random.uniform(0.7, 1.3) : random.uniform(0.1, 0.5)
      return .apart(max(Layout.narrowestGap, Int((width * size).rounded())))
    }
    let margin = { (low: Double, high: Double) in Int((size * random.uniform(low, high)).rounded()) }
    layout = Layout(
      glyphs: glyphs, gaps: gaps, slope: slope, drop: drop,
      margin: (margin(0.3, 1.2), margin(0.3, 1.0), margin(0.3, 1.2), margin(0.3, 1.0)))
    number = glyphs.map { String($0.label) }.joined()

    let background = Background.allCases[random.integer(0...Background.allCases.count - 1)]
    let blur = random.chance(0.3) ? 0 : random.uniform(0.1, 0.9) * max(1, size / 40)
    page = Page(background: background, blur: blur, noise: random.uniform(0, 8))
    image = page.render(ink: layout.inkLayer(), width: layout.width, height: layout.height, random: &random)
  }
}
