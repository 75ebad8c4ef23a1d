import Foundation
import Testing

/// `--kernels NAME`, $DIGITINFER_KERNELS, and the kernel set reported by
/// inspect, eval and bench.
@Suite struct KernelsTests {
  /// Every name the option takes on some platform.
  static let knownNames = ["reference", "sse2", "portable", "avx2", "avxvnni", "avx512vnni", "neondot", "dsp"]

  /// inspect --json of the shipped model, with `arguments` and `environment` added.
  static func inspect(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> [String: Any] {
    let run = try CLI.run(["inspect", "--json", CLI.defaultModel] + arguments, environment: environment)
    #expect(run.status == 0, "\(run.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
  }

  /// The sets this CPU supports, as inspect --json reports them (without $DIGITINFER_KERNELS).
  static func supported() throws -> [String] {
    try #require(try inspect(environment: ["DIGITINFER_KERNELS": ""])["kernels_supported"] as? [String])
  }

  @Test func inspectReportsASupportedSet() throws {
    let object = try Self.inspect(environment: ["DIGITINFER_KERNELS": ""])
    let supported = try #require(object["kernels_supported"] as? [String])
    let kernels = try #require(object["kernels"] as? String)
    #expect(supported.first == "reference")
    #expect(Set(supported).isSubset(of: Self.knownNames), "\(supported)")
    #expect(supported.contains(kernels), "\(kernels) not in \(supported)")

    let text = try CLI.run(["inspect", CLI.defaultModel], environment: ["DIGITINFER_KERNELS": ""])
    #expect(text.status == 0)
    #expect(text.stdout.contains("kernels      \(kernels) (the fastest this CPU supports; this CPU supports \(supported.joined(separator: ", ")))"),
      "\(text.stdout)")
  }

  @Test func everySupportedSetCanBeChosen() throws {
    for name in try Self.supported() {
      let object = try Self.inspect(["--kernels", name])
      #expect(object["kernels"] as? String == name)
    }
    let text = try CLI.run(["inspect", "--kernels", "reference", CLI.defaultModel])
    #expect(text.stdout.contains("kernels      reference (chosen by --kernels; "), "\(text.stdout)")
  }

  #if arch(x86_64)
  /// The library reads $DIGITINFER_KERNELS at dgi_model_open (x86-64 only);
  /// --kernels takes precedence over it.
  @Test func environmentVariableShowsUpAndOptionWins() throws {
    let environment = ["DIGITINFER_KERNELS": "reference"]
    #expect(try Self.inspect(environment: environment)["kernels"] as? String == "reference")
    let text = try CLI.run(["inspect", CLI.defaultModel], environment: environment)
    #expect(text.stdout.contains("kernels      reference (chosen by $DIGITINFER_KERNELS; "), "\(text.stdout)")
    #expect(text.stderr.isEmpty)

    #expect(try Self.inspect(["--kernels", "sse2"], environment: environment)["kernels"] as? String == "sse2")
    let auto = try Self.inspect(["--kernels", "auto"], environment: environment)
    #expect(auto["kernels"] as? String == (try Self.inspect(environment: ["DIGITINFER_KERNELS": ""]))["kernels"] as? String)
    #expect(auto["kernels"] as? String != "reference")

    let verbose = try CLI.run(
      ["--verbose", "--model", CLI.defaultModel, CLI.samples + "/scan-9.pgm"], environment: environment)
    #expect(verbose.status == 0, "\(verbose.stderr)")
    #expect(verbose.stderr.contains("kernels: reference (chosen by $DIGITINFER_KERNELS; this CPU supports "), "\(verbose.stderr)")

    // A name the library ignores: it runs the fastest set, and says so.
    let ignored = try CLI.run(["inspect", "--json", CLI.defaultModel], environment: ["DIGITINFER_KERNELS": "avx9000"])
    #expect(ignored.status == 0)
    #expect(ignored.errorLines.count == 1 && ignored.stderr.contains("DIGITINFER_KERNELS=avx9000"), "\(ignored.stderr)")
  }
  #endif

  @Test func unknownOrUnsupportedSetIsAUsageError() throws {
    let supported = try Self.supported()
    let unsupported = Self.knownNames.filter { !supported.contains($0) }
    // sse2 and portable are never both built in.
    #expect(!unsupported.isEmpty)
    for (name, reason) in [("avx9000", "unknown kernel set")] + unsupported.map({ ($0, "lacks that kernel set") }) {
      for command in [["inspect", CLI.defaultModel], ["eval", "--limit", "10"], ["bench"], [CLI.samples]] {
        let run = try CLI.run(command + ["--kernels", name])
        #expect(run.status == 64, "\(command) --kernels \(name): \(run.status) \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("--kernels \(name): ") && run.stderr.contains(reason), "\(run.stderr)")
        #expect(run.stderr.contains("supported here: auto, " + supported.joined(separator: ", ")), "\(run.stderr)")
      }
    }
  }

  @Test func referenceAndDefaultClassifyTheSamplesIdentically() throws {
    let samples = CLI.sampleImages().map(\.path)
    let fast = try CLI.run(["--json"] + samples)
    let reference = try CLI.run(["--json", "--kernels", "reference"] + samples)
    #expect(fast.status == 0 && reference.status == 0, "\(fast.stderr)\(reference.stderr)")
    #expect(fast.stdout == reference.stdout)
    #expect(try CLI.jsonLines(fast.stdout).count == samples.count)
  }

  @Test(.enabled(if: TestData.mnist != nil, "MNIST not found in $DIGITINFER_DATA or ../shared/data"))
  func referenceAndDefaultEvaluateIdentically() throws {
    let mnist = try #require(TestData.mnist)
    let set = [TestData.file(mnist, "t10k-images-idx3-ubyte"), TestData.file(mnist, "t10k-labels-idx1-ubyte")]
    var outputs: [[String: Any]] = []
    for kernels in [[], ["--kernels", "reference"], ["--kernels", "auto"]] {
      // 301 images on 2 threads: batches of uneven size.
      let run = try CLI.run(["eval", "--json", "--limit", "301", "--threads", "2", "--model", CLI.defaultModel] + kernels + set)
      #expect(run.status == 0, "\(run.stderr)")
      outputs.append(try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]))
    }
    #expect(outputs[1]["kernels"] as? String == "reference")
    for output in outputs.dropFirst() {
      for key in ["total", "correct", "accuracy", "no_ink", "precision", "recall", "support", "confusion"] {
        #expect(String(describing: output[key]) == String(describing: outputs[0][key]), "\(key)")
      }
    }
    #expect(outputs[0]["total"] as? Int == 301)

    // One thread, one batch: the same again.
    let single = try CLI.run(["eval", "--json", "--limit", "301", "--threads", "1", "--model", CLI.defaultModel] + set)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
    #expect(String(describing: object["confusion"]) == String(describing: outputs[0]["confusion"]))
  }

  @Test func benchReportsKernelsAndBatch() throws {
    let run = try CLI.run([
      "bench", "--json", "--iterations", "100", "--threads", "2", "--batch", "50", "--model", CLI.defaultModel,
    ], environment: ["DIGITINFER_KERNELS": ""])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let supported = try #require(object["kernels_supported"] as? [String])
    #expect(supported.contains(try #require(object["kernels"] as? String)))
    #expect(object["kernels"] as? String == (try Self.inspect(environment: ["DIGITINFER_KERNELS": ""]))["kernels"] as? String)
    #expect(object["batch_size"] as? Int == 50)
    #expect(object["threads"] as? Int == 2)
    for key in ["batch_us_per_image", "batch_images_per_second", "images_per_second", "latency_median_us"] {
      #expect((object[key] as? Double ?? 0) > 0, "\(key)")
    }
    #expect(object["synthetic_digits_read_as"] as? [Int] == Array(0...9))

    // The default set, named: the Swift sets are slow in a debug build.
    let fastest = try #require(object["kernels"] as? String)
    let text = try CLI.run(["bench", "--iterations", "100", "--threads", "1", "--batch", "7", "--kernels", fastest])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("kernels      \(fastest) (chosen by --kernels; "), "\(text.stdout)")
    #expect(text.stdout.contains("(dgi_classify_batch of 7 images, median of 14 batches, 1 thread)"), "\(text.stdout)")
    #expect(text.stdout.contains("images/s on 1 thread   (dgi_classify_batch, 7 images a call)"), "\(text.stdout)")

    let help = try CLI.run(["bench", "--help"])
    for key in ["batch_us_per_image", "batch_images_per_second", "images_per_second", "kernels"] {
      #expect(help.stdout.contains(key), "bench --help does not document \(key)")
    }
  }
}
