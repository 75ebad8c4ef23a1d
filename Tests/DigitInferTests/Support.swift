import CDigitInfer
import DigitInferFormat
import DigitInferSupport
import Foundation

@testable import DigitInfer

/// The runtime tests open models through the public `Model` (Sources/DigitInfer/SwiftAPI.swift)
/// and reach its C record (`record`, internal) where they test the C API itself.
extension Model {
  var scratchSize: Int { dgi_model_scratch_size(record) }
  /// The runtime's read-only view of the opened record.
  var view: ModelView { ModelView(raw: UnsafeRawPointer(record)) }

  /// int8 logits through the public API, padded with zeros to DGI_MAX_CLASSES (11)
  /// as dgi_infer pads them.
  func logits(_ image: [UInt8]) -> [Int8] {
    let logits = try! infer(image)
    return logits + [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES) - logits.count)
  }

  /// int8 logits from the chosen kernel set, through the internal API.
  func logits(_ image: [UInt8], kernels: KernelSet) -> [Int8] {
    var scratch = [UInt8](repeating: 0x5A, count: scratchSize)
    return scratch.withUnsafeMutableBytes { s in
      let out = DigitInfer.infer(view, image, s.baseAddress!, kernels)
      return (0..<Int(view.state.classCount)).map { out[$0] }
    }
  }
}

/// `body` with a copy of `file` that starts `misalignment` bytes past a
/// 16-byte boundary, for the borrowing `Model(borrowing:)`.
func withMisalignedCopy<R>(_ file: [UInt8], misalignment: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
  let buffer = UnsafeMutableRawPointer.allocate(byteCount: file.count + 16, alignment: 16)
  defer { buffer.deallocate() }
  let start = buffer + misalignment
  file.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: file.count) }
  return try body(UnsafeRawBufferPointer(start: start, count: file.count))
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
