import Foundation

@testable import DigitInferReport

/// A 10x10 confusion matrix with 1,000 images per digit, `correct[d]` of
/// them right and the rest taken for the next digit.
func confusion(correct: [Int]) -> [[Int]] {
  (0..<10).map { digit in
    var row = Array(repeating: 0, count: 10)
    row[digit] = correct[digit]
    row[(digit + 1) % 10] = 1000 - correct[digit]
    return row
  }
}

func epochs(_ count: Int) -> [EpochRecord] {
  (0..<count).map { index in
    let e = Double(index + 1)
    return EpochRecord(
      epoch: index + 1, learningRate: 0.01 / e,
      trainLoss: 0.5 / e, trainAccuracy: 0.9 + 0.018 * e,
      validationLoss: 0.45 / e + 0.01, validationAccuracy: 0.91 + 0.015 * e,
      seconds: 12.5, imagesPerSecond: 4400.25)
  }
}

/// Int8: 9,912 / 10,000 = 99.12 %; float: 9,915 / 10,000 = 99.15 %.
func sampleCard(name: String = "mnist-int8", history: [EpochRecord] = epochs(5)) -> ModelCard {
  ModelCard(
    name: name, architecture: "c16k5,bn,p2,c32k5,bn,p2,d64,d10",
    layers: [
      "conv2d 5x5 1->16 valid, ReLU  28x28x1 -> 24x24x16  416 params  230,400 MACs",
      "maxpool 2x2  24x24x16 -> 12x12x16",
      "dense 512->10  512 -> 10  5,130 params  5,120 MACs",
    ],
    parameters: 12_345, macs: 1_234_567, fileBytes: 13_456, scratchBytes: 9_216,
    floatTest: Evaluation(confusion: confusion(correct: [991, 991, 991, 991, 991, 992, 992, 992, 992, 992])),
    int8Test: Evaluation(confusion: confusion(correct: [992, 991, 991, 991, 991, 991, 991, 991, 991, 992])),
    validationAccuracy: 0.9906,
    calibration: "percentile 99.99 (chosen over min/max by validation accuracy)",
    epochs: history, trainingSeconds: 133,
    command: "export-model --int8 --epochs 5 --seed 7 --out models/mnist-int8.dgi",
    seed: 7, date: "2025-01-31T12:00:00Z",
    dataset: "MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0): 55,000 training, 5,000 held out, 10,000 test",
    notes: ["Trained on 2 cores."])
}

/// A fresh empty directory, removed by the caller.
func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("digitinfer-report-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
  return url
}
