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
}
