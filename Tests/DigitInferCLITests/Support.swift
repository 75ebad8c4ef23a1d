import Foundation

/// Runs the built digitinfer-cli as a user would: a separate process, its
/// own standard streams, an exit status.
enum CLI {
  /// The package root (Tests/DigitInferCLITests/Support.swift -> ../..).
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let defaultModel = packageRoot.appendingPathComponent("models/mnist-int8.dgi").path
  static let samples = packageRoot.appendingPathComponent("models/samples").path

  /// $DIGITINFER_CLI (e.g. a release build), else the executable beside
  /// the test bundle in the build products directory.
  static let executable: String = {
    if let path = ProcessInfo.processInfo.environment["DIGITINFER_CLI"], !path.isEmpty { return path }
    return productsDirectory.appendingPathComponent("digitinfer-cli").path
  }()

  /// $DIGITINFER_EXPORT_MODEL, else export-model beside the test bundle.
  static let exportModel: String = {
    if let path = ProcessInfo.processInfo.environment["DIGITINFER_EXPORT_MODEL"], !path.isEmpty { return path }
    return productsDirectory.appendingPathComponent("export-model").path
  }()

  static var productsDirectory: URL {
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      return bundle.bundleURL.deletingLastPathComponent()
    }
    #endif
    return Bundle.main.bundleURL
  }

  struct Run {
    /// The exit status; -1 if the run was stopped after its time limit.
    let status: Int32
    let stdout: String
    let stderr: String
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
  }

  /// Runs the CLI with `arguments`; `stdin` is fed to it (else it reads
  /// /dev/null). The environment is this process's without
  /// $DIGITINFER_MODEL, plus `environment`. A run still going after
  /// `timeout` seconds is killed and reported with status -1, so that a
  /// CLI that blocks fails its test instead of hanging the suite.
  static func run(
    _ arguments: [String], stdin: Data? = nil, directory: String? = nil,
    environment: [String: String] = [:], executable: String = CLI.executable, timeout: Double = 300
  ) throws -> Run {
    let scratch = try TemporaryDirectory()
    let out = scratch.path + "/stdout", err = scratch.path + "/stderr", input = scratch.path + "/stdin"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    _ = FileManager.default.createFile(atPath: input, contents: stdin ?? Data())

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["DIGITINFER_MODEL"] = nil
    env.merge(environment) { $1 }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    process.standardInput = FileHandle(forReadingAtPath: input)
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    let timedOut = process.isRunning
    if timedOut { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return Run(
      status: timedOut ? -1 : process.terminationStatus,
      stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
      stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
  }

  /// Runs the CLI with arguments of any bytes (Process passes only
  /// UTF-8): through sh, each argument made by printf from octal escapes.
  static func run(bytes arguments: [[UInt8]], timeout: Double = 300) throws -> Run {
    // $(...) drops trailing newlines, so each word ends in an x removed after.
    let words = arguments.map { argument in
      "a=$(printf '\(argument.map { String(format: "\\%03o", $0) }.joined())x'); set -- \"$@\" \"${a%x}\""
    }
    let script = (["set --"] + words + ["exec \"$DIGITINFER_CLI_UNDER_TEST\" \"$@\""]).joined(separator: "\n")
    return try run(["-c", script], environment: ["DIGITINFER_CLI_UNDER_TEST": executable], executable: "/bin/sh", timeout: timeout)
  }

  /// Sample images of models/samples with the digit their name ends in
  /// (pen-on-paper-4.jpg -> 4), sorted by name.
  static func sampleImages() -> [(path: String, digit: Int)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? []
    return names.sorted().compactMap { name in
      let stem = (name as NSString).deletingPathExtension
      guard ["png", "jpg", "jpeg", "pgm", "pbm"].contains((name as NSString).pathExtension.lowercased()),
        let last = stem.last, let digit = last.wholeNumberValue
      else { return nil }
      return (samples + "/" + name, digit)
    }
  }

  /// One JSON object per line.
  static func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      guard let dictionary = object as? [String: Any] else { throw TestFailure("not a JSON object: \(line)") }
      return dictionary
    }
  }
}

/// The external digit sets in ../shared/data (or $DIGITINFER_DATA).
enum TestData {
  static let root: String? = {
    let candidates = [ProcessInfo.processInfo.environment["DIGITINFER_DATA"], CLI.packageRoot.path + "/../shared/data"]
    return candidates.compactMap { $0 }.filter { !$0.isEmpty }.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
      .first { FileManager.default.fileExists(atPath: $0 + "/mnist/t10k-images-idx3-ubyte.gz") || FileManager.default.fileExists(atPath: $0 + "/mnist/t10k-images-idx3-ubyte") }
  }()

  static var mnist: String? { root.map { $0 + "/mnist" } }

  static func file(_ directory: String, _ name: String) -> String {
    FileManager.default.fileExists(atPath: directory + "/" + name) ? directory + "/" + name : directory + "/" + name + ".gz"
  }

  static var semeion: (images: String, labels: String)? {
    guard let root else { return nil }
    let dir = root + "/external/semeion"
    let pair = (file(dir, "semeion-images-idx3-ubyte"), file(dir, "semeion-labels-idx1-ubyte"))
    return FileManager.default.fileExists(atPath: pair.0) ? pair : nil
  }
}

/// A fresh directory under the system's temporary directory, removed when
/// the value goes away.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "digitinfer-cli-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func write(_ name: String, _ data: Data) -> String {
    let file = path + "/" + name
    _ = FileManager.default.createFile(atPath: file, contents: data)
    return file
  }

  /// Writes a file whose name may be any bytes (FileManager takes UTF-8
  /// names only); returns its path's bytes.
  func write(bytes name: [UInt8], _ data: Data) throws -> [UInt8] {
    let file = Array((path + "/").utf8) + name
    let fd = (file + [0]).withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
    }
    guard fd >= 0 else { throw TestFailure("cannot create \(String(decoding: file, as: UTF8.self)): errno \(errno)") }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    try handle.write(contentsOf: data)
    return file
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
