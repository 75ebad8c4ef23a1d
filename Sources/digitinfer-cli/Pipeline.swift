import ArgumentParser
import DigitInfer
import DigitInferImage

/// `--ink`: which way round the ink is, as dgi_preprocess() flags.
enum Ink: String, CaseIterable, ExpressibleByArgument {
  case auto, dark, light

  var flags: UInt32 {
    switch self {
    case .auto: UInt32(DGI_INK_AUTO)
    case .dark: UInt32(DGI_INK_DARK)
    case .light: UInt32(DGI_INK_LIGHT)
    }
  }

  static let help = ArgumentHelp(
    "Ink polarity for dgi_preprocess: auto (decide per image), dark (pen on paper) or light (chalk on a board, MNIST-style sets).")
}

/// One worker's pipeline: dgi_preprocess() then dgi_classify(), with its
/// own scratch buffers (the C API's rule for concurrent use).
struct Pipeline {
  let model: LoadedModel
  private var modelScratch: [UInt8]
  private var preprocessScratch: [UInt8] = []

  init(model: LoadedModel) {
    self.model = model
    modelScratch = [UInt8](repeating: 0, count: max(model.scratchSize, 1))
  }

  /// Any 8-bit grey image to the model's 28x28 input. `pixels` is row-major
  /// with `stride` bytes per row. Fails with dgi_status_message's reason.
  mutating func preprocess(
    _ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, stride: Int, ink: Ink
  ) -> Result<(input: [UInt8], info: dgi_preprocess_info), PipelineError> {
    guard width > 0, height > 0, width <= Int(DGI_PREPROCESS_MAX_SIDE), height <= Int(DGI_PREPROCESS_MAX_SIDE) else {
      return .failure(PipelineError("image is \(width)x\(height); dgi_preprocess takes 1 to \(DGI_PREPROCESS_MAX_SIDE) pixels a side"))
    }
    let needed = dgi_preprocess_scratch_size(UInt32(width), UInt32(height))
    if preprocessScratch.count < needed { preprocessScratch = [UInt8](repeating: 0, count: needed) }
    var input = [UInt8](repeating: 0, count: Int(DGI_INPUT_SIZE))
    var info = dgi_preprocess_info()
    let status = preprocessScratch.withUnsafeMutableBytes { scratch in
      dgi_preprocess(
        pixels.baseAddress, UInt32(width), UInt32(height), stride, ink.flags,
        scratch.baseAddress, scratch.count, &input, &info)
    }
    guard status == DGI_OK else { return .failure(PipelineError(status)) }
    return .success((input, info))
  }

  mutating func preprocess(_ image: GrayImage, ink: Ink) -> Result<(input: [UInt8], info: dgi_preprocess_info), PipelineError> {
    image.pixels.withUnsafeBufferPointer {
      preprocess($0, width: image.width, height: image.height, stride: image.width, ink: ink)
    }
  }

  /// dgi_classify on a 28x28 input.
  mutating func classify(_ input: UnsafeBufferPointer<UInt8>) -> Result<dgi_result, PipelineError> {
    precondition(input.count == Int(DGI_INPUT_SIZE))
    var result = dgi_result()
    let status = modelScratch.withUnsafeMutableBytes { scratch in
      model.model.withUnsafeRecord { dgi_classify($0, input.baseAddress, scratch.baseAddress, scratch.count, &result) }
    }
    guard status == DGI_OK else { return .failure(PipelineError(status)) }
    return .success(result)
  }

  mutating func classify(_ input: [UInt8]) -> Result<dgi_result, PipelineError> {
    input.withUnsafeBufferPointer { classify($0) }
  }

  /// dgi_classify_batch on `results.count` 28x28 inputs stored one after
  /// another in `inputs` (784 bytes each), with this pipeline's scratch:
  /// the same answers as dgi_classify on each, faster per image.
  mutating func classifyBatch(
    _ inputs: UnsafeBufferPointer<UInt8>, into results: UnsafeMutableBufferPointer<dgi_result>
  ) -> Result<Void, PipelineError> {
    precondition(inputs.count == results.count * Int(DGI_INPUT_SIZE))
    if results.isEmpty { return .success(()) }
    let status = modelScratch.withUnsafeMutableBytes { scratch in
      model.model.withUnsafeRecord {
        dgi_classify_batch($0, inputs.baseAddress, results.count, scratch.baseAddress, scratch.count, results.baseAddress)
      }
    }
    guard status == DGI_OK else { return .failure(PipelineError(status)) }
    return .success(())
  }
}

/// Why one image could not be classified; one line.
struct PipelineError: Error, CustomStringConvertible {
  let description: String
  let status: dgi_status?

  init(_ description: String) {
    self.description = description
    status = nil
  }

  init(_ status: dgi_status) {
    description = String(cString: dgi_status_message(status))
    self.status = status
  }
}

extension dgi_result {
  var probabilityArray: [Float] {
    withUnsafeBytes(of: probabilities) { Array($0.bindMemory(to: Float.self)) }
  }

  /// The `count` most probable classes, most probable first (ties: lower digit first).
  func top(_ count: Int) -> [(digit: Int, probability: Float)] {
    Array(probabilityArray.enumerated().map { (digit: $0.offset, probability: $0.element) }
      .sorted { $0.probability != $1.probability ? $0.probability > $1.probability : $0.digit < $1.digit }
      .prefix(count))
  }
}
