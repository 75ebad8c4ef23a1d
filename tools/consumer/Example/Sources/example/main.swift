// A user's program: opens a model with the safe Swift API of `import DigitInfer`,
// says which kernels run, classifies a drawn 7 (28x28 pixels) and, given a
// binary PGM (P5) photo or scan of a digit, preprocesses and classifies it.
import DigitInfer
import Foundation

let arguments = CommandLine.arguments
guard (2...3).contains(arguments.count), let data = FileManager.default.contents(atPath: arguments[1]) else {
  print("usage: example MODEL.dgi [IMAGE.pgm]")
  exit(2)
}

do {
  let model = try Model([UInt8](data))
  print("kernels \(model.kernels.name)")

  // A 7: a bar across the top and a stroke down to the bottom left.
  var pixels = [UInt8](repeating: 0, count: Model.inputSize)
  for x in 7...20 { for y in 6...8 { pixels[y * 28 + x] = 255 } }
  for y in 9...22 {
    let x = 20 - (y - 9) * 7 / 13
    for dx in -1...1 { pixels[y * 28 + x + dx] = 255 }
  }
  let seven = try model.classify(pixels)
  // digit is nil when a model with the "not a digit" class refuses the image.
  print("digit \(seven.digit.map(String.init) ?? "none (not a digit, best guess \(seven.bestDigit))")")

  if arguments.count == 3 {
    guard let file = FileManager.default.contents(atPath: arguments[2]), let image = PGM([UInt8](file)) else {
      print("\(arguments[2]): not a binary 8-bit PGM")
      exit(2)
    }
    let answer = try model.classify(gray: image.pixels, width: image.width, height: image.height)
    print("image \(answer.digit.map(String.init) ?? "not a digit")")
  }
} catch {
  // `error` is a DigitInferError: the runtime's status and its message.
  print("error: \(error.message)")
  exit(1)
}

/// A binary 8-bit PGM (P5): header fields separated by whitespace, comments
/// from # to the end of a line, then width x height bytes.
struct PGM {
  let width: Int, height: Int
  let pixels: [UInt8]

  init?(_ bytes: [UInt8]) {
    var fields: [Int] = []
    var i = 2
    guard bytes.starts(with: Array("P5".utf8)) else { return nil }
    while fields.count < 3, i < bytes.count {
      if bytes[i] == UInt8(ascii: "#") {
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
      } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
        var value = 0
        while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]), value < 1 << 20 {
          value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
          i += 1
        }
        fields.append(value)
        continue
      }
      i += 1
    }
    // One whitespace byte after the maximum value, then the pixels.
    guard fields.count == 3, fields[2] == 255, i < bytes.count, bytes.count - (i + 1) >= fields[0] * fields[1] else {
      return nil
    }
    (width, height) = (fields[0], fields[1])
    pixels = Array(bytes[(i + 1)..<(i + 1 + width * height)])
  }
}
