// Model.readNumber: the Swift face of dgi_read_number (ReadNumberCAPI.swift).
// It allocates, like the rest of the Swift API (SwiftAPI.swift), so the
// builds that forbid allocations leave it out.
#if !DIGITINFER_NO_ALLOCATIONS

extension Model {
  /// A number read from an image (``Model/readNumber(gray:width:height:stride:ink:)``).
  public struct NumberReading: Sendable, Equatable {
    /// The digits in reading order, as a string: leading zeros kept, gaps
    /// between groups left out ("326 751" reads as "326751").
    public let number: String
    /// Each digit, in reading order.
    public let digits: [ReadDigit]
  }

  /// One digit of a number.
  public struct ReadDigit: Sendable, Equatable {
    /// What the model read: never "not a digit" (those are dropped).
    public let classification: Classification
    /// Where the digit lies in the image, in pixels.
    public let box: Box
    /// Cut from strokes that touched a neighbour (`DGI_DIGIT_SPLIT`).
    public let split: Bool
    /// The 28x28 model input it was read from, 784 bytes.
    public let pixels: [UInt8]

    /// The digit, 0 to 9.
    public var digit: Int { classification.bestDigit } // = classification.digit: never nil here (ABI 2)
    /// The probability of ``digit``.
    public var confidence: Float { classification.confidence }
  }

  /// A rectangle of an image, in pixels.
  public struct Box: Sendable, Equatable {
    public let x: Int, y: Int, width: Int, height: Int
  }

  /// Reads a handwritten number of one row (`dgi_read_number`): finds the
  /// digits left to right, each fitted to 28x28 the way
  /// ``preprocess(gray:width:height:stride:ink:)`` fits one digit, and
  /// classifies them. Strokes of one digit are joined, specks dropped, gaps
  /// ignored, and touching digits split.
  ///
  /// - Parameters:
  ///   - gray: 8-bit grayscale pixels, row-major; row `y` starts at `y * stride`.
  ///     At least `(height - 1) * stride + width` bytes.
  ///   - width: The image width in pixels, 1 to 32768.
  ///   - height: The image height in pixels, 1 to 32768.
  ///   - stride: Bytes from one row to the next, at least `width` (default: `width`).
  ///   - ink: Which way round the ink is (default: decided from the image).
  /// - Returns: The number and its digits.
  /// - Throws: ``DigitInferError/image`` for a size out of range, a stride below
  ///   the width or too few bytes; ``DigitInferError/noInk`` when nothing stands out
  ///   from the paper; ``DigitInferError/notADigit`` when the model reads none of
  ///   the ink as a digit.
  public func readNumber(
    gray: [UInt8], width: Int, height: Int, stride: Int? = nil, ink: Ink = .auto
  ) throws(DigitInferError) -> NumberReading {
    let stride = try Self.checkImage(gray, width: width, height: height, stride: stride)
    let size = dgi_read_number_scratch_size(record, UInt32(width), UInt32(height))
    var scratch = [UInt8](repeating: 0, count: size)
    // Room for a long number first; the exact count if there are more.
    var digits = [dgi_number_digit](repeating: dgi_number_digit(), count: 32)
    var count = 0
    var status = dgi_read_number(
      record, gray, UInt32(width), UInt32(height), stride, ink.rawValue, &scratch, size, &digits, digits.count,
      &count)
    if status == DGI_ERROR_TOO_MANY {
      digits = [dgi_number_digit](repeating: dgi_number_digit(), count: count)
      status = dgi_read_number(
        record, gray, UInt32(width), UInt32(height), stride, ink.rawValue, &scratch, size, &digits, digits.count,
        &count)
    }
    try check(status)
    let read = digits.prefix(count).map { d in
      ReadDigit(
        classification: Classification(d.result, classes: info.classCount),
        box: Box(x: Int(d.x), y: Int(d.y), width: Int(d.width), height: Int(d.height)),
        split: d.flags & DGI_DIGIT_SPLIT != 0,
        pixels: Swift.withUnsafeBytes(of: d.pixels) { Array($0) })
    }
    return NumberReading(number: String(read.map { Character(Unicode.Scalar(UInt8(48 + $0.digit))) }), digits: read)
  }
}

#endif
