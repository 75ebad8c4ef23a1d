import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

/// export-model's use of the training set: any size above the holdout
/// works, a smaller one or images that are not 28x28 fail with a message
/// (they used to trap in DigitSet.slice and crash in the trainer).
@Suite struct SplitTests {
  @Test func mnistSizesGiveTheUsualSplit() throws {
    let all = sampleSet(count: 60_000, rows: 1, columns: 1)
    let (train, validation) = try MNIST.split(all)
    #expect(train.count == 55_000 && validation.count == 5_000)
    #expect(validation.labels == Array(all.labels[55_000...]))
    #expect(try MNIST.split(all, limit: 3_000).train.count == 3_000)
    #expect(try MNIST.split(all, limit: 90_000).train.count == 55_000)
  }

  @Test func anySizeAboveTheHoldoutWorks() throws {
    let (train, validation) = try MNIST.split(sampleSet(count: 5_001, rows: 1, columns: 1))
    #expect(train.count == 1 && validation.count == 5_000)
  }

  @Test func tooFewImagesSaySoInsteadOfTrapping() {
    for count in [0, 1, 4_000, 5_000] {
      expectDataError("sample", "\(count) training images; the last 5000 are held out") {
        _ = try MNIST.split(sampleSet(count: count, rows: 1, columns: 1))
      }
    }
  }

  @Test func imagesThatAreNot28x28AreRefused() throws {
    try withTemporaryDirectory { dir in
      for (rows, columns) in [(20, 20), (32, 32), (28, 27)] {
        let sub = dir + "/\(rows)x\(columns)"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let set = sampleSet(count: 3, rows: rows, columns: columns)
        try IDX.write(images: set, imagesPath: sub + "/" + MNIST.trainImages, labelsPath: sub + "/" + MNIST.trainLabels, gzip: false)
        try IDX.write(images: set, imagesPath: sub + "/" + MNIST.testImages, labelsPath: sub + "/" + MNIST.testLabels, gzip: false)
        expectDataError(sub + "/" + MNIST.trainImages, "images are \(rows)x\(columns); MNIST's are 28x28") {
          _ = try MNIST.train(in: sub)
        }
        expectDataError(sub + "/" + MNIST.testImages, "images are \(rows)x\(columns); MNIST's are 28x28") {
          _ = try MNIST.test(in: sub)
        }
      }
    }
  }
}
