import ArgumentParser
import DigitInfer
import DigitInferFormat
import Foundation

/// Latency, throughput and load time of the runtime, through its C ABI.
@main
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "digitinfer-bench",
    abstract: "Measure libdigitinfer: load time, single-image latency, throughput.",
    discussion: """
      Without --model, benchmarks models/reference-int8.dgi, the reference architecture (conv 1->16 5x5, maxpool, conv 16->32 5x5, maxpool, dense 512->64, dense 64->10; 1.08 M MACs) trained by export-model; where that file is missing, the same architecture with seeded random int8 weights (latency does not depend on what the weights learned).

      Examples:
        swift run -c release digitinfer-bench
        swift run -c release digitinfer-bench --model models/mnist-int8.dgi --json
      """)

  @Option(help: "A .dgi model file (default: models/reference-int8.dgi).")
  var model: String?

  @Option(help: "Timed single-image runs.")
  var iterations = 20000

  @Option(help: "Threads for the throughput run (default: all cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  func run() throws {
    let bytes: [UInt8]
    let label: String
    // The shipped, trained reference model when it is there (as for a
    // user of this repository); synthetic weights otherwise.
    let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../models/reference-int8.dgi").standardized.path
    let model = self.model ?? (FileManager.default.fileExists(atPath: shipped) ? shipped : nil)
    if let model {
      guard let data = FileManager.default.contents(atPath: model) else {
        throw ValidationError("cannot read \(model)")
      }
      bytes = [UInt8](data)
      label = model
    } else {
      bytes = try SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 1, name: "reference-synthetic")
        .encoded()
      label = "reference architecture (synthetic weights)"
    }

    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
    defer { buffer.deallocate() }
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    var m = dgi_model()

    // Load time: validation including the CRC, averaged over many opens.
    let loads = 2000
    var status = DGI_OK
    let loadStart = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<loads { status = dgi_model_open(&m, buffer, bytes.count) }
    let loadNs = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / Double(loads)
    guard status == DGI_OK else {
      throw ValidationError("\(label): \(String(cString: dgi_status_message(status)))")
    }
    var info = dgi_model_info()
    _ = dgi_model_get_info(&m, &info)
    let scratchSize = dgi_model_scratch_size(&m)
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchSize, alignment: 16)
    defer { scratch.deallocate() }

    var rng = SplitMix64(seed: 7)
    let images = (0..<64).map { _ in (0..<784).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    var result = dgi_result()
    for i in 0..<1000 { _ = dgi_classify(&m, images[i % 64], scratch, scratchSize, &result) }

    var samples = [Double](repeating: 0, count: iterations)
    for i in 0..<iterations {
      images[i % 64].withUnsafeBufferPointer { px in
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = dgi_classify(&m, px.baseAddress, scratch, scratchSize, &result)
        samples[i] = Double(DispatchTime.now().uptimeNanoseconds - t0)
      }
    }
    samples.sort()
    let median = samples[iterations / 2] / 1000
    let p99 = samples[min(iterations - 1, iterations * 99 / 100)] / 1000

    // Throughput: every thread its own scratch, one shared model.
    let perThread = max(iterations, 2000)
    let shared = m
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
      var local = shared
      let s = UnsafeMutableRawPointer.allocate(byteCount: scratchSize, alignment: 16)
      defer { s.deallocate() }
      var r = dgi_result()
      for i in 0..<perThread { _ = dgi_classify(&local, images[i % 64], s, scratchSize, &r) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let throughput = Double(perThread * threads) / seconds

    if json {
      let fields: [(String, String)] = [
        ("model", "\"\(label)\""), ("macs", "\(info.macs)"), ("scratch_bytes", "\(scratchSize)"),
        ("file_bytes", "\(info.file_size)"), ("load_us", String(format: "%.2f", loadNs / 1000)),
        ("latency_median_us", String(format: "%.2f", median)), ("latency_p99_us", String(format: "%.2f", p99)),
        ("threads", "\(threads)"), ("images_per_second", String(format: "%.0f", throughput)),
      ]
      print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    } else {
      print("model        \(label)")
      print("MACs         \(info.macs)   parameters \(info.parameter_count)   file \(info.file_size) bytes")
      print("scratch      \(scratchSize) bytes")
      print(String(format: "load         %.2f us (validation + CRC)", loadNs / 1000))
      print(String(format: "latency      median %.2f us   p99 %.2f us   (%d runs, 1 thread)", median, p99, iterations))
      print(String(format: "throughput   %.0f images/s on %d threads", throughput, threads))
    }
  }
}
