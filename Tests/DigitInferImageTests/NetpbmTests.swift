import Testing

@testable import DigitInferImage

@Suite struct NetpbmTests {
  @Test func plainGraymapWithComments() throws {
    let text = "P2\n# made by hand\n3 2 # width height\n# maxval next\n10\n0 5 10\n10 1 9\n"
    let image = try ImageDecoder.decode(Array(text.utf8))
    #expect(image.width == 3 && image.height == 2)
    // round(v * 255 / 10): 0, 127.5 -> 128, 255, 255, 25.5 -> 26, 229.5 -> 230
    #expect(image.pixels == [0, 128, 255, 255, 26, 230])
  }
}
