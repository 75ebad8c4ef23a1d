import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

/// How MNIST.directory picks the data directory. The files' existence is all
/// that is checked here, so empty stand-ins do.
@Suite struct DirectoryTests {
  func makeMNIST(_ dir: String, gzip: Bool = true) {
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for name in MNIST.fileNames { writeBytes([], to: dir + "/" + name + (gzip ? ".gz" : "")) }
  }

  @Test func flagWinsOverEnvironment() throws {
    try withTemporaryDirectory { (dir) throws in
      makeMNIST(dir + "/a")
      makeMNIST(dir + "/b")
      #expect(try MNIST.directory(flag: dir + "/a", environment: ["DIGITINFER_DATA": dir + "/b"]) == dir + "/a")
    }
  }

  @Test func environmentWinsOverDefaults() throws {
    try withTemporaryDirectory { (dir) throws in
      makeMNIST(dir + "/env")
      makeMNIST(dir + "/default")
      #expect(
        try MNIST.resolve(flag: nil, environment: ["DIGITINFER_DATA": dir + "/env"], defaults: [dir + "/default"])
          == dir + "/env")
      // An empty flag counts as none.
      #expect(
        try MNIST.resolve(flag: "", environment: ["DIGITINFER_DATA": dir + "/env"], defaults: [dir + "/default"])
          == dir + "/env")
    }
  }

  @Test func defaultsInOrder() throws {
    try withTemporaryDirectory { (dir) throws in
      makeMNIST(dir + "/second")
      makeMNIST(dir + "/third")
      #expect(
        try MNIST.resolve(flag: nil, environment: [:], defaults: [dir + "/first", dir + "/second", dir + "/third"])
          == dir + "/second")
    }
  }

  @Test func directoryHoldingMnistIsAccepted() throws {
    try withTemporaryDirectory { (dir) throws in
      makeMNIST(dir + "/data/mnist", gzip: false)
      #expect(try MNIST.directory(flag: dir + "/data", environment: [:]) == dir + "/data/mnist")
      #expect(try MNIST.directory(flag: nil, environment: ["DIGITINFER_DATA": dir + "/data/"]) == dir + "/data/mnist")
    }
  }

  @Test func plainAndGzipNamesMix() throws {
    try withTemporaryDirectory { (dir) throws in
      makeMNIST(dir)
      try! FileManager.default.removeItem(atPath: dir + "/t10k-labels-idx1-ubyte.gz")
      #expect(MNIST.file("t10k-labels-idx1-ubyte", in: dir) == nil)
      writeBytes([], to: dir + "/t10k-labels-idx1-ubyte")
      #expect(MNIST.file("t10k-labels-idx1-ubyte", in: dir) == dir + "/t10k-labels-idx1-ubyte")
      #expect(MNIST.file("train-labels-idx1-ubyte", in: dir) == dir + "/train-labels-idx1-ubyte.gz")
      #expect(try MNIST.directory(flag: dir, environment: [:]) == dir)
    }
  }

  @Test func incompleteDirectoryIsNotAccepted() throws {
    try withTemporaryDirectory { dir in
      makeMNIST(dir)
      try! FileManager.default.removeItem(atPath: dir + "/t10k-images-idx3-ubyte.gz")
      expectDataError(dir, "MNIST not found") { _ = try MNIST.directory(flag: dir, environment: [:]) }
    }
  }

  @Test func nothingFoundSaysWhatWasTriedAndWhereToGetMNIST() throws {
    let missing = "/nonexistent/mnist-data"
    let error = #expect(throws: DataError.self) { _ = try MNIST.directory(flag: missing, environment: [:]) }
    #expect(error?.path == missing)
    #expect(error?.reason.contains("tried \(missing), \(missing)/mnist") == true)
    #expect(error?.reason.contains("https://yann.lecun.com/exdb/mnist/") == true)
    #expect(error?.reason.contains("train-images-idx3-ubyte.gz") == true)
    #expect(error?.reason.contains("--data DIR or set DIGITINFER_DATA") == true)
    #expect(error?.description.contains("\n") == false)
    // A wrong explicit setting fails even when a default would work.
    try withTemporaryDirectory { dir in
      makeMNIST(dir + "/default")
      expectDataError(missing, "via $DIGITINFER_DATA") {
        _ = try MNIST.resolve(flag: nil, environment: ["DIGITINFER_DATA": missing], defaults: [dir + "/default"])
      }
    }
    expectDataError("/nonexistent/a", "via the default locations (tried /nonexistent/a, /nonexistent/a/mnist, /nonexistent/b") {
      _ = try MNIST.resolve(flag: nil, environment: [:], defaults: ["/nonexistent/a", "/nonexistent/b"])
    }
  }

  @Test(.enabled(if: SharedData.mnist != nil, "../shared/data not found beside the checkout"))
  func defaultsFindTheSharedData() throws {
    // From the current directory (swift test runs in the package root) or
    // else from this package's source location.
    #expect(try MNIST.directory(flag: nil, environment: [:]) == SharedData.mnist)
    #expect(try MNIST.directory(flag: SharedData.root, environment: [:]) == SharedData.mnist)
  }
}
