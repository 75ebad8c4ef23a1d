import Testing

@testable import DigitInferReport

/// The line export-model prints for each epoch (the trainer only reports
/// the record; the wording lives here).
@Suite struct EpochRecordTests {
  @Test func lineShowsEveryFigureAndMarksTheBestEpoch() {
    let record = EpochRecord(
      epoch: 3, learningRate: 0.00199, trainLoss: 0.14481, trainAccuracy: 0.95454,
      validationLoss: 0.10241, validationAccuracy: 0.96676, seconds: 19.06, imagesPerSecond: 3565.4)
    #expect(
      record.line(of: 40, best: true)
        == "epoch 3/40  loss 0.1448  acc 95.45%  val loss 0.1024  val acc 96.68%  lr 0.00199  19.1s  3565 img/s  *")
    #expect(record.line(of: 40, best: false).hasSuffix("3565 img/s"))
  }
}
