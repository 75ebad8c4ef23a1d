import Foundation

/// One epoch of training, as the trainer reports it.
public struct EpochRecord: Codable, Sendable, Equatable {
  public var epoch: Int
  public var learningRate: Double
  public var trainLoss: Double
  /// A fraction in 0...1, like every accuracy in this module; only the
  /// formatting shows percentages.
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var seconds: Double
  public var imagesPerSecond: Double

  public init(
    epoch: Int, learningRate: Double,
    trainLoss: Double, trainAccuracy: Double,
    validationLoss: Double, validationAccuracy: Double,
    seconds: Double, imagesPerSecond: Double
  ) {
    self.epoch = epoch
    self.learningRate = learningRate
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.seconds = seconds
    self.imagesPerSecond = imagesPerSecond
  }

  /// The line a training log shows for this epoch, e.g. "epoch 3/40  loss
  /// 0.1448  acc 95.45%  val loss 0.1024  val acc 96.68%  lr 0.00199  19.1s
  /// 3565 img/s  *", the star marking the best validation loss so far.
  public func line(of epochs: Int, best: Bool) -> String {
    String(
      format: "epoch %d/%d  loss %.4f  acc %.2f%%  val loss %.4f  val acc %.2f%%  lr %.5f  %.1fs  %.0f img/s%@",
      epoch, epochs, trainLoss, 100 * trainAccuracy, validationLoss, 100 * validationAccuracy, learningRate,
      seconds, imagesPerSecond, best ? "  *" : "")
  }
}
