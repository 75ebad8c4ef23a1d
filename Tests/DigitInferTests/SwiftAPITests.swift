import CDigitInfer
import Foundation
import Testing

@testable import DigitInfer

/// The public Swift API (Sources/DigitInfer/SwiftAPI.swift) against the C API it wraps.
@Suite struct SwiftAPITests {
  static let shipped = [UInt8](try! Data(contentsOf: testsDirectory.appending(path: "../../models/mnist-int8.dgi")))

  /// Random images and drawn sevens, preprocessed, as 28x28 inputs.
  static let images: [[UInt8]] =
    testImages(count: 12, seed: 41) + [PreprocessTests.seven(), PreprocessTests.seven(paper: 30, ink: 220)].map {
      preprocessed($0).1
    }

  /// `body` with the shipped model opened by the C API alone, on its own copy of the bytes.
  static func withCModel<R>(_ body: (UnsafePointer<dgi_model>, Int) throws -> R) rethrows -> R {
    var record = dgi_model()
    return try shipped.withUnsafeBytes { bytes in
      precondition(dgi_model_open(&record, bytes.baseAddress, bytes.count) == DGI_OK)
      return try body(&record, dgi_model_scratch_size(&record))
    }
  }

  @Test func classifyAndInferEqualTheCAPI() throws {
    let model = try Model(Self.shipped)
    let classes = model.info.classCount
    #expect(classes == 10 || classes == 11)
    try Self.withCModel { record, size in
      var scratch = [UInt8](repeating: 0, count: size)
      for image in Self.images {
        var result = dgi_result()
        var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
        #expect(dgi_classify(record, image, &scratch, size, &result) == DGI_OK)
        #expect(dgi_infer(record, image, &scratch, size, &logits) == DGI_OK)
        let answer = try model.classify(image)
        #expect(answer == Model.Classification(result, classes: classes))
        #expect(answer.predictedClass == Int(result.digit == DGI_NOT_A_DIGIT ? 10 : result.digit) && answer.confidence == result.confidence)
        #expect(answer.probabilities.count == 10 && answer.bestConfidence == answer.probabilities.max())
        if let digit = answer.digit {
          #expect(answer.bestDigit == digit && answer.probabilities[digit] == answer.confidence)
        } else {
          #expect(answer.notADigitProbability == answer.confidence && answer.confidence >= answer.bestConfidence)
        }
        // A ten-class model never refuses; logits past its classes are 0.
        #expect(classes == 11 || (!answer.notADigit && answer.notADigitProbability == 0))
        #expect(try model.infer(image) == Array(logits.prefix(classes)))
        #expect(logits.dropFirst(classes).allSatisfy { $0 == 0 })
      }
    }
    // The drawn sevens are sevens.
    #expect(try Self.images.suffix(2).map { try model.classify($0).digit } == [7, 7])
  }

  @Test func batchEqualsOneCallPerImage() throws {
    let model = try Model(Self.shipped)
    let singles = try Self.images.map { try model.classify($0) }
    #expect(try model.classify(batch: Self.images.flatMap { $0 }) == singles)
    #expect(try model.classify(batch: Self.images) == singles)
    #expect(try model.classify(batch: [UInt8]()).isEmpty)
    #expect(try model.classify(batch: [[UInt8]]()).isEmpty)
  }

  @Test func infoDescribesTheModel() throws {
    let model = try Model(Self.shipped)
    let info = model.info
    Self.withCModel { record, size in
      var c = dgi_model_info()
      #expect(dgi_model_get_info(record, &c) == DGI_OK)
      #expect(info.name == String(cString: c.name) && info.metadata == String(cString: c.metadata))
      #expect(info.formatMajor == Int(c.format_major) && info.formatMinor == Int(c.format_minor))
      #expect(info.fileSize == Self.shipped.count && info.checksum == c.checksum)
      #expect(info.layerCount == Int(c.layer_count) && info.parameterCount == Int(c.parameter_count))
      #expect(info.macs == Int(c.macs) && info.scratchSize == size && info.classCount == Int(c.class_count))
    }
    #expect(info.classCount == 10 || info.classCount == 11)
    #expect(!info.name.isEmpty && info.metadata.contains("="))
    #expect(Model.version == String(cString: dgi_version()))
  }

  @Test func borrowedAndOwnedBytesGiveTheSameAnswers() throws {
    let owned = try Model(Self.shipped)
    for misalignment in [0, 3] {
      try withMisalignedCopy(Self.shipped + [9, 9, 9], misalignment: misalignment) { bytes in
        let borrowed = try Model(borrowing: bytes)
        #expect(borrowed.info == owned.info)
        borrowed.withUnsafeBytes { #expect($0.baseAddress == bytes.baseAddress) }
        for image in Self.images {
          #expect(try borrowed.classify(image) == owned.classify(image))
          #expect(try borrowed.infer(image) == owned.infer(image))
        }
      }
    }
  }

  @Test func everyKernelSetGivesTheSameAnswers() throws {
    let model = try Model(Self.shipped)
    #expect(model.kernels != .auto && Model.Kernels.supported.contains(model.kernels))
    #expect(Model.Kernels.supported.first == .reference && Model.Kernels.reference.name == "reference")
    let expected = try Self.images.map { try model.infer($0) }
    for set in Model.Kernels.supported {
      let other = try model.using(set)
      #expect(other.kernels == set)
      #expect(try Self.images.map { try other.infer($0) } == expected, "\(set)")
      #expect(try Model(Self.shipped, kernels: set).kernels == set)
    }
    #expect(try model.using(.auto).kernels == model.kernels)
    // The sets this CPU lacks are refused, and the model keeps its set.
    let missing = (1...7).map { Model.Kernels(rawValue: UInt32($0)) }.filter { !Model.Kernels.supported.contains($0) }
    for set in missing {
      #expect(throws: DigitInferError.unsupported) { try model.using(set) }
      #expect(throws: DigitInferError.unsupported) { try Model(Self.shipped, kernels: set) }
    }
    #expect(throws: DigitInferError.argument) { try model.using(Model.Kernels(rawValue: 99)) }
  }

  @Test func damagedModelsThrowTheirStatus() throws {
    #expect(throws: DigitInferError.truncated) { try Model([]) }
    #expect(throws: DigitInferError.truncated) { try Model(Array(Self.shipped.prefix(10))) }
    #expect(throws: DigitInferError.truncated) { try Model(Array(Self.shipped.dropLast())) }
    var wrongMagic = Self.shipped
    wrongMagic[0] ^= 0xFF
    #expect(throws: DigitInferError.magic) { try Model(wrongMagic) }
    var corrupt = Self.shipped
    corrupt[corrupt.count / 2] ^= 0x10  // a weight: only the CRC-32 notices
    #expect(throws: DigitInferError.checksum) { try Model(corrupt) }
    withMisalignedCopy(corrupt, misalignment: 1) { bytes in
      #expect(throws: DigitInferError.checksum) { try Model(borrowing: bytes) }
    }
    #expect(throws: DigitInferError.argument) { try Model(borrowing: UnsafeRawBufferPointer(start: nil, count: 0)) }
    #expect(throws: DigitInferError.malformed) { try Model(patched(Self.shipped, 24, 0, bytes: 2)) }  // no layers
  }

  @Test func badImageArgumentsThrow() throws {
    let model = try Model(Self.shipped)
    let image = Self.images[0]
    #expect(throws: DigitInferError.argument) { try model.classify(Array(image.dropLast())) }
    #expect(throws: DigitInferError.argument) { try model.classify(image + [0]) }
    #expect(throws: DigitInferError.argument) { try model.infer([]) }
    #expect(throws: DigitInferError.argument) { try model.classify(batch: image + [0]) }
    #expect(throws: DigitInferError.argument) { try model.classify(batch: [image, [0]]) }

    let seven = PreprocessTests.seven()
    let (w, h) = (seven.width, seven.height)
    #expect(throws: DigitInferError.image) { try Model.preprocess(gray: seven.pixels, width: 0, height: h) }
    #expect(throws: DigitInferError.image) { try Model.preprocess(gray: seven.pixels, width: w, height: -1) }
    #expect(throws: DigitInferError.image) { try Model.preprocess(gray: seven.pixels, width: w, height: h, stride: w - 1) }
    #expect(throws: DigitInferError.image) { try Model.preprocess(gray: seven.pixels, width: w, height: h + 1) }
    #expect(throws: DigitInferError.image) {
      try Model.preprocess(gray: seven.pixels, width: w, height: 2, stride: Int.max / 2)
    }
    #expect(throws: DigitInferError.image) {
      try Model.preprocess(gray: [UInt8](repeating: 0, count: 40000), width: 40000, height: 1)
    }
    let blank = [UInt8](repeating: 200, count: w * h)
    #expect(throws: DigitInferError.noInk) { try Model.preprocess(gray: blank, width: w, height: h) }
    #expect(throws: DigitInferError.noInk) { try model.classify(gray: blank, width: w, height: h) }
  }

  @Test func preprocessEqualsTheCAPI() throws {
    let model = try Model(Self.shipped)
    let pictures = [PreprocessTests.seven(), PreprocessTests.seven(paper: 30, ink: 220), PreprocessTests.seven(pen: 0.03)]
    for p in pictures {
      for ink in Model.Ink.allCases {
        // The forced wrong polarity finds no ink: the same error both ways.
        let (status, expected, _) = preprocessed(p, flags: ink.rawValue)
        guard let error = DigitInferError(status: status) else {
          let pixels = try Model.preprocess(gray: p.pixels, width: p.width, height: p.height, ink: ink)
          #expect(pixels == expected, "\(ink)")
          #expect(try model.classify(gray: p.pixels, width: p.width, height: p.height, ink: ink) == model.classify(expected))
          continue
        }
        #expect(throws: error) { try Model.preprocess(gray: p.pixels, width: p.width, height: p.height, ink: ink) }
      }
      // The picture inside a wider buffer.
      let stride = p.width + 13
      var padded = [UInt8](repeating: 7, count: stride * p.height)
      for y in 0..<p.height {
        for x in 0..<p.width { padded[y * stride + x] = p.pixels[y * p.width + x] }
      }
      let (_, expected, _) = preprocessed(p, stride: stride)
      #expect(try Model.preprocess(gray: padded, width: p.width, height: p.height, stride: stride) == expected)
      // The last row needs only `width` bytes.
      let short = Array(padded.dropLast(stride - p.width))
      #expect(try Model.preprocess(gray: short, width: p.width, height: p.height, stride: stride) == expected)
    }
  }

  @Test func errorsCarryTheirStatusAndMessage() {
    for code in UInt32(1)...13 {
      let status = dgi_status(rawValue: code)
      let error = DigitInferError(status: status)
      #expect(error?.status == status)
      #expect(error?.message == String(cString: dgi_status_message(status)))
      #expect(error?.description == error?.message)
    }
    #expect(DigitInferError(status: DGI_OK) == nil)
    #expect(DigitInferError(status: dgi_status(rawValue: 14)) == nil)
    #expect(DigitInferError.checksum.status == DGI_ERROR_CHECKSUM)
    #expect(DigitInferError.tooMany.status == DGI_ERROR_TOO_MANY)
    #expect(DigitInferError.notADigit.status == DGI_ERROR_NOT_A_DIGIT)
  }

  @Test func oneModelServesManyThreads() throws {
    let model = try Model(Self.shipped)
    let expected = try Self.images.map { try model.classify($0) }
    nonisolated(unsafe) let answers = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8)  // one slot per thread
    defer { answers.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 8) { t in
      answers[t] = (0..<20).allSatisfy { k in
        let i = (t + k) % Self.images.count
        return (try? model.classify(Self.images[i])) == expected[i]
      }
    }
    #expect(answers.allSatisfy { $0 })
  }
}
