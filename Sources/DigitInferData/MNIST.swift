import Foundation

/// Finding and loading the MNIST database (four IDX files, plain or .gz).
public enum MNIST {
  public static let trainImages = "train-images-idx3-ubyte"
  public static let trainLabels = "train-labels-idx1-ubyte"
  public static let testImages = "t10k-images-idx3-ubyte"
  public static let testLabels = "t10k-labels-idx1-ubyte"
  public static let fileNames = [trainImages, trainLabels, testImages, testLabels]
  public static let environmentVariable = "DIGITINFER_DATA"

  /// Where the MNIST files are: `flag` (--data DIR) if given, else
  /// $DIGITINFER_DATA, else ../shared/data relative to the current
  /// directory, else relative to the package root. Each candidate may hold
  /// the files itself or in `mnist/`. An explicit flag or variable is used
  /// alone: a typo there should fail loudly, not silently pick other data.
  public static func directory(
    flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(DataError) -> String {
    let defaults = [
      FileManager.default.currentDirectoryPath + "/../shared/data",
      packageRoot + "/../shared/data",
    ]
    return try resolve(flag: flag, environment: environment, defaults: defaults)
  }

  static func resolve(flag: String?, environment: [String: String], defaults: [String]) throws(DataError) -> String {
    let candidates: [String]
    let source: String
    if let flag, !flag.isEmpty {
      (candidates, source) = ([flag], "--data")
    } else if let env = environment[environmentVariable], !env.isEmpty {
      (candidates, source) = ([env], "$\(environmentVariable)")
    } else {
      (candidates, source) = (defaults, "the default locations")
    }
    var tried: [String] = []
    for candidate in candidates {
      for dir in [candidate, candidate + "/mnist"] {
        let path = standardized(dir)
        tried.append(path)
        if fileNames.allSatisfy({ file($0, in: path) != nil }) { return path }
      }
    }
    throw DataError(
      path: tried.first ?? "",
      reason: "MNIST not found via \(source) (tried \(tried.joined(separator: ", "))); "
        + "download \(fileNames.map { $0 + ".gz" }.joined(separator: ", ")) "
        + "from https://yann.lecun.com/exdb/mnist/ or a mirror such as "
        + "https://ossci-datasets.s3.amazonaws.com/mnist/ into a directory "
        + "and pass --data DIR or set \(environmentVariable)=DIR")
  }

  /// The 60,000 training images. Hold out part of them (e.g. the last
  /// 5,000, `split`) for validation: the test set is the benchmark.
  public static func train(in directory: String) throws(DataError) -> DigitSet {
    try load(trainImages, trainLabels, in: directory, name: "mnist-train")
  }

  /// Images held out at the end of the training set for validation and
  /// calibration.
  public static let holdout = 5_000

  /// The training images as export-model uses them: the last `holdout`
  /// held out for validation and calibration, the first `limit` (default:
  /// all) of the rest for training; MNIST's 60,000 give 55,000 and 5,000.
  /// Any set larger than the holdout works; a smaller one is a DataError
  /// that says what is needed.
  public static func split(_ all: DigitSet, limit: Int? = nil) throws(DataError) -> (train: DigitSet, validation: DigitSet) {
    guard all.count > holdout else {
      throw DataError(
        path: all.name,
        reason: "\(all.count) training images; the last \(holdout) are held out for validation and calibration, so at least \(holdout + 1) are needed")
    }
    let rest = all.count - holdout
    return (
      all.slice(0..<min(rest, max(0, limit ?? rest)), name: "train"),
      all.slice(rest..<all.count, name: "validation")
    )
  }

  /// The 10,000 test images.
  public static func test(in directory: String) throws(DataError) -> DigitSet {
    try load(testImages, testLabels, in: directory, name: "mnist-test")
  }

  /// `name` or `name.gz` in `directory`, whichever exists (plain first).
  public static func file(_ name: String, in directory: String) -> String? {
    for path in [directory + "/" + name, directory + "/" + name + ".gz"] {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
        return path
      }
    }
    return nil
  }

  private static func load(_ images: String, _ labels: String, in directory: String, name: String) throws(DataError) -> DigitSet {
    guard let imagesPath = file(images, in: directory) else {
      throw DataError(path: directory + "/" + images, reason: "not found (nor \(images).gz)")
    }
    guard let labelsPath = file(labels, in: directory) else {
      throw DataError(path: directory + "/" + labels, reason: "not found (nor \(labels).gz)")
    }
    let set = try IDX.readSet(images: imagesPath, labels: labelsPath, name: name)
    // The networks, the augmentation and the runtime all take 28x28.
    guard set.rows == 28 && set.columns == 28 else {
      throw DataError(path: imagesPath, reason: "images are \(set.rows)x\(set.columns); MNIST's are 28x28")
    }
    return set
  }

  /// Sources/DigitInferData/MNIST.swift -> the package root.
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  private static func standardized(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }
}
