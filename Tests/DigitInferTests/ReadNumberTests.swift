import CDigitInfer
import Testing

@testable import DigitInfer

/// dgi_read_number through the Swift API (Model.readNumber) and the C entry
/// points, on numbers drawn with the preprocessing tests' pen (Picture).
@Suite struct ReadNumberTests {
  /// `text` (digits Picture draws: 0, 1, 4, 7; a space leaves a gap) with
  /// digits 60 px tall, `advance` px apart, the baseline rising `slant` px
  /// per digit.
  static func number(
    _ text: String, advance: Double = 62, slant: Double = 0, paper: UInt8 = 232, ink: UInt8 = 30,
    width: Int = 400, height: Int = 130
  ) -> Picture {
    var p = Picture(width: width, height: height, paper: paper)
    for (k, ch) in text.enumerated() {
      guard let d = ch.wholeNumberValue else { continue }
      p.digit(d, x: 30 + Double(k) * advance, y: 35 - Double(k) * slant, w: 40, h: 60, pen: 0.1, ink: ink)
    }
    return p
  }

  func read(_ p: Picture, ink: Model.Ink = .auto) throws -> Model.NumberReading {
    try shippedModel.readNumber(gray: p.pixels, width: p.width, height: p.height, ink: ink)
  }

  @Test(arguments: ["1740", "4071", "0 71 4", "7"])
  func readsDrawnNumbers(text: String) throws {
    let p = Self.number(text)
    let reading = try read(p)
    #expect(reading.number == text.filter { $0 != " " })
    // Boxes left to right, inside the picture, no two overlapping by more
    // than a third of the narrower.
    for (a, b) in zip(reading.digits, reading.digits.dropFirst()) {
      #expect(a.box.x < b.box.x && a.box.x + a.box.width <= b.box.x + min(a.box.width, b.box.width) / 3)
    }
    for d in reading.digits {
      #expect(d.box.x >= 0 && d.box.x + d.box.width <= p.width && d.box.y + d.box.height <= p.height)
      #expect(d.pixels.count == 784 && !d.split && d.confidence > 0.5)
    }
  }

  @Test func eitherPolarity() throws {
    let dark = try read(Self.number("1740", paper: 225, ink: 40))
    let light = try read(Self.number("1740", paper: 25, ink: 210))
    #expect(dark.number == "1740" && light.number == "1740")
    let forced = try read(Self.number("1740", paper: 225, ink: 40), ink: .dark)
    #expect(forced == dark)
  }

  @Test func slantedBaselineAndSpecks() throws {
    var p = Self.number("4170", slant: 7, height: 150)
    for (x, y) in [(10.0, 10.0), (300.0, 130.0), (200.0, 20.0)] { p.stroke([(x, y), (x + 1, y + 1)], pen: 3, ink: 30) }
    let reading = try read(p)
    #expect(reading.number == "4170")
  }

  /// Digits drawn close enough that their strokes touch: one component, cut in two.
  @Test(arguments: [("40", 37.0), ("70", 37.0), ("04", 36.0)])
  func touchingDigitsAreSplit(text: String, advance: Double) throws {
    let reading = try read(Self.number(text, advance: advance))
    #expect(reading.number == text)
    let splits = reading.digits.filter(\.split).count
    #expect(splits == 2)
  }

  @Test func singleDigitReadsAsPreprocessAndClassify() throws {
    for d in [0, 1, 4, 7] {
      var p = Picture(width: 110, height: 90, paper: 228)
      p.digit(d, x: 35, y: 15, w: 40, h: 60, pen: 0.1, ink: 30)
      let reading = try read(p)
      let pixels = try Model.preprocess(gray: p.pixels, width: p.width, height: p.height)
      let one = try shippedModel.classify(pixels)
      #expect(reading.number == String(one.bestDigit))
      // Not reduced by either, the same strokes: the very same input bytes.
      #expect(reading.digits.first?.pixels == pixels)
    }
  }

  @Test func errors() {
    #expect(throws: DigitInferError.noInk) { try read(Picture(width: 80, height: 40, paper: 128)) }
    // Ink that the 11-class model reads none of as a digit: a long dash.
    var dash = Picture(width: 200, height: 100, paper: 235)
    dash.stroke([(30, 50), (170, 50)], pen: 9, ink: 20)
    #expect(throws: DigitInferError.notADigit) { try read(dash) }
    #expect(throws: DigitInferError.image) {
      try shippedModel.readNumber(gray: [UInt8](repeating: 0, count: 10), width: 5, height: 5)
    }
    #expect(throws: DigitInferError.image) { try shippedModel.readNumber(gray: [], width: 0, height: 1) }
  }

  @Test func cAPICountsAndRefusesWithoutWriting() {
    let p = Self.number("1740")
    shippedModel.withUnsafeRecord { model in
      let size = dgi_read_number_scratch_size(model, UInt32(p.width), UInt32(p.height))
      var scratch = [UInt8](repeating: 0, count: size)
      var count = 99
      var digits = [dgi_number_digit](repeating: dgi_number_digit(), count: 2)
      // Counting only.
      #expect(
        dgi_read_number(model, p.pixels, UInt32(p.width), UInt32(p.height), p.width, 0, &scratch, size, nil, 0, &count)
          == DGI_ERROR_TOO_MANY)
      #expect(count == 4)
      // The first two of four.
      #expect(
        dgi_read_number(model, p.pixels, UInt32(p.width), UInt32(p.height), p.width, 0, &scratch, size, &digits, 2, &count)
          == DGI_ERROR_TOO_MANY)
      #expect(count == 4 && digits.map(\.result.digit) == [1, 7])
      // Refusals write nothing.
      count = 99
      #expect(
        dgi_read_number(model, p.pixels, UInt32(p.width), UInt32(p.height), p.width, 0, &scratch, size - 1, &digits, 2, &count)
          == DGI_ERROR_SCRATCH)
      #expect(
        dgi_read_number(model, p.pixels, UInt32(p.width), UInt32(p.height), p.width - 1, 0, &scratch, size, &digits, 2, &count)
          == DGI_ERROR_IMAGE)
      #expect(
        dgi_read_number(nil, p.pixels, UInt32(p.width), UInt32(p.height), p.width, 0, &scratch, size, &digits, 2, &count)
          == DGI_ERROR_ARGUMENT)
      #expect(count == 99)
    }
  }

  /// The layout's bound: no reduced shape needs more than the one the
  /// layout reserves for reduced images (checked over every shape in C).
  @Test func scratchIsBounded() {
    let largest = ReadLayout(width: ReadLayout.largestShape.width, height: ReadLayout.largestShape.height, modelScratch: 0)!
    for (w, h) in [(1024, 32), (181, 181), (256, 128), (32768, 1), (1, 32768), (993, 33), (991, 33)] {
      #expect(ReadLayout(width: w, height: h, modelScratch: 0)!.size <= largest.size)
    }
    #expect(ReadLayout(width: 4000, height: 3000, modelScratch: 0)!.size == largest.size)
    #expect(largest.size <= 374 * 1024)
    #expect(ReadLayout(width: 0, height: 5, modelScratch: 0) == nil)
  }
}
