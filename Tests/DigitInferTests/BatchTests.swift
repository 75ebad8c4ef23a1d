import CDigitInfer
import DigitInferFormat
import Testing

@testable import DigitInfer

/// dgi_classify_batch and dgi_infer_batch against one call per image.
@Suite struct BatchTests {
  @Test(arguments: [21, 22, 23]) func batchEqualsOneCallPerImage(seed: Int) throws {
    let m = try Model(try randomModel(seed: UInt64(seed)).encoded())
    let images = testImages(count: 9, seed: UInt64(seed))
    let pixels = images.flatMap { $0 }
    let record = UnsafeMutablePointer<dgi_model>.allocate(capacity: 1)
    defer { record.deallocate() }
    record.initialize(to: m.record.pointee)
    var scratch = [UInt8](repeating: 0x3C, count: dgi_model_scratch_size(record))
    for set in supportedKernelSets {
      #expect(dgi_model_set_kernels(record, dgi_kernels(rawValue: set.rawValue)) == DGI_OK)
      let n = Int(DGI_MAX_CLASSES)  // logits per image
      var logits = [Int8](repeating: 99, count: n * images.count)
      #expect(dgi_infer_batch(record, pixels, images.count, &scratch, scratch.count, &logits) == DGI_OK)
      var results = [dgi_result](repeating: dgi_result(), count: images.count)
      #expect(dgi_classify_batch(record, pixels, images.count, &scratch, scratch.count, &results) == DGI_OK)
      for (i, image) in images.enumerated() {
        #expect(Array(logits[(n * i)..<(n * i + n)]) == m.logits(image), "\(set), image \(i)")
        #expect(try Model.Classification(results[i], classes: m.info.classCount) == m.classify(image), "\(set)")
      }
    }
  }

  @Test func argumentsAreChecked() throws {
    let m = try Model(try SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 2).encoded())
    let pixels = [UInt8](repeating: 7, count: 2 * 784)
    var scratch = [UInt8](repeating: 0, count: m.scratchSize)
    var results = [dgi_result](repeating: dgi_result(), count: 2)
    var logits = [Int8](repeating: 42, count: 20)
    #expect(dgi_classify_batch(m.record, pixels, 0, &scratch, scratch.count, &results) == DGI_OK)
    #expect(dgi_infer_batch(m.record, pixels, 0, &scratch, scratch.count, &logits) == DGI_OK)
    #expect(logits == [Int8](repeating: 42, count: 20), "count 0 writes nothing")
    #expect(dgi_classify_batch(m.record, nil, 2, &scratch, scratch.count, &results) == DGI_ERROR_ARGUMENT)
    #expect(dgi_classify_batch(m.record, pixels, 2, &scratch, scratch.count, nil) == DGI_ERROR_ARGUMENT)
    #expect(dgi_infer_batch(m.record, pixels, Int.max / 100, &scratch, scratch.count, &logits) == DGI_ERROR_ARGUMENT)
    #expect(dgi_infer_batch(m.record, pixels, 2, &scratch, scratch.count - 1, &logits) == DGI_ERROR_SCRATCH)
    #expect(dgi_infer_batch(m.record, pixels, 2, nil, scratch.count, &logits) == DGI_ERROR_SCRATCH)
    #expect(dgi_infer_batch(nil, pixels, 2, &scratch, scratch.count, &logits) == DGI_ERROR_ARGUMENT)
    var closed = dgi_model()
    #expect(dgi_infer_batch(&closed, pixels, 2, &scratch, scratch.count, &logits) == DGI_ERROR_NOT_OPEN)
    #expect(logits == [Int8](repeating: 42, count: 20), "failures write nothing")
  }
}
