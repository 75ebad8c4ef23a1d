import CDigitInfer
import DigitInferFormat
import Foundation

@testable import DigitInfer

/// A model file copied into its own buffer (at an optional misalignment)
/// and opened through the C ABI. Keeps the bytes alive as long as the model.
final class LoadedModel: @unchecked Sendable {
  let buffer: UnsafeMutableRawPointer
  let bytes: UnsafeMutableRawPointer
  let size: Int
  /// Heap-allocated so its address is stable for the model's lifetime.
  let record: UnsafeMutablePointer<dgi_model>
  let status: dgi_status

  init(_ file: [UInt8], misalignment: Int = 0) {
    size = file.count
    buffer = .allocate(byteCount: max(file.count, 1) + 16, alignment: 16)
    let start = buffer + misalignment
    file.withUnsafeBytes { if let b = $0.baseAddress { start.copyMemory(from: b, byteCount: file.count) } }
    bytes = start
    record = .allocate(capacity: 1)
    record.initialize(to: dgi_model())
    status = dgi_model_open(record, bytes, size)
  }

  deinit {
    buffer.deallocate()
    record.deallocate()
  }

  var scratchSize: Int { dgi_model_scratch_size(record) }
  var model: Model { Model(raw: UnsafeRawPointer(record)) }

  /// int8 logits through the C ABI (optimized kernels).
  func logits(_ image: [UInt8]) -> [Int8] {
    var out = [Int8](repeating: 0, count: 10)
    var scratch = [UInt8](repeating: 0xA5, count: scratchSize)
    let s = dgi_infer(record, image, &scratch, scratch.count, &out)
    precondition(s == DGI_OK, "dgi_infer failed: \(s.rawValue)")
    return out
  }

  /// int8 logits from the chosen kernel set, through the internal API.
  func logits(_ image: [UInt8], kernels: KernelSet) -> [Int8] {
    var scratch = [UInt8](repeating: 0x5A, count: scratchSize)
    return scratch.withUnsafeMutableBytes { s in
      let out = infer(model, image, s.baseAddress!, kernels)
      return (0..<Int(model.state.classCount)).map { out[$0] }
    }
  }

  func classify(_ image: [UInt8]) -> dgi_result {
    var r = dgi_result()
    var scratch = [UInt8](repeating: 0, count: scratchSize)
    let s = dgi_classify(record, image, &scratch, scratch.count, &r)
    precondition(s == DGI_OK)
    return r
  }
}

func probabilities(_ r: dgi_result) -> [Float] {
  withUnsafeBytes(of: r.probabilities) { Array($0.bindMemory(to: Float.self)) }
}

/// Random 28x28 images: noise, blank, full ink and blobby strokes.
func testImages(count: Int, seed: UInt64) -> [[UInt8]] {
  var rng = SplitMix64(seed: seed)
  return (0..<count).map { i in
    switch i % 4 {
    case 0: return (0..<784).map { _ in UInt8.random(in: 0...255, using: &rng) }
    case 1: return [UInt8](repeating: i % 8 == 1 ? 0 : 255, count: 784)
    default:
      var img = [UInt8](repeating: 0, count: 784)
      let cx = Double.random(in: 8...20, using: &rng), cy = Double.random(in: 8...20, using: &rng)
      let r = Double.random(in: 3...9, using: &rng)
      for y in 0..<28 {
        for x in 0..<28 {
          let d = abs(((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot() - r)
          img[y * 28 + x] = UInt8(max(0, min(255, 255 - d * 120)))
        }
      }
      return img
    }
  }
}

/// The package's source directory, for golden files.
let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// Every kernel set this build and this CPU run, the reference first.
let supportedKernelSets = KernelSet.all.compactMap(KernelSet.init(rawValue:)).filter { KernelSet.supported & (1 << $0.rawValue) != 0 }

/// The sets that keep activations in offset binary (q + 128) between layers.
func isOffsetBinary(_ set: KernelSet) -> Bool { [.avx2, .avxvnni, .avx512vnni, .neondot, .dsp].contains(set) }
