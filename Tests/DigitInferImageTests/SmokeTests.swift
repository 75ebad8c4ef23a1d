import Testing

@testable import DigitInferImage

@Suite struct SmokeTests {
  @Test func grayPNGRoundTrip() throws {
    let image = GrayImage(width: 5, height: 3, pixels: (0..<15).map { UInt8($0 * 17) })
    #expect(try ImageDecoder.decode(try PNGEncoder.encode(image)) == image)
  }

  @Test func grayJPEG() throws {
    let samples = [UInt8](repeating: 200, count: 16 * 8)
    let jpeg = try JPEGEncoder.encode(width: 16, height: 8, components: 1, samples: samples, quality: 90)
    let image = try ImageDecoder.decode(jpeg)
    #expect(image.width == 16 && image.height == 8)
    #expect(image.pixels.allSatisfy { abs(Int($0) - 200) <= 1 })
  }
}
