import ArgumentParser
import DigitInfer
import DigitInferSupport
import Foundation

/// Speed of the model and of preprocessing, through the C API.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure model load time, single-image latency, batch speed and throughput.",
    discussion: """
      Inputs are realistic: ten pen-on-paper digits (0 to 9) drawn by the tool as \(SyntheticDigits.width)x\(SyntheticDigits.height) grey images on unevenly lit paper, turned into model inputs by dgi_preprocess(), which is timed too. Reports:
        kernels      the kernel set the model runs (see --kernels) and the sets this CPU supports
        load         dgi_model_open (validation and CRC-32), mean of many opens
        preprocess   dgi_preprocess of one \(SyntheticDigits.width)x\(SyntheticDigits.height) image: median and p99
        latency      dgi_classify of one image on one thread: median and p99
        batch        dgi_classify_batch of --batch images on one thread: the median over repeated batches, per image and as images/s
        throughput   dgi_classify_batch on --threads threads at once, the images split between them, each thread with its own scratch buffer, --batch images a call

      --json prints one object with: \(LoadedModel.jsonHelp), kernels (e.g. "avx512vnni"), kernels_supported, macs, parameters, file_bytes, scratch_bytes, load_us, preprocess_median_us, preprocess_p99_us, latency_median_us, latency_p99_us (dgi_classify, one image a call, one thread), batch_size, batch_us_per_image, batch_images_per_second (dgi_classify_batch, one thread), threads, images_per_second (dgi_classify_batch on all --threads threads), synthetic_digits_read_as (null where the model said "not a digit"). Times are microseconds.

      --kernels compares kernel sets on one machine; every set gives the same answers.

      \(ModelOptions.defaultModelHelp)

      Examples:
        digitinfer-cli bench
        digitinfer-cli bench --model models/reference-int8.dgi --threads 1 --json
        digitinfer-cli bench --kernels sse2
      (Build with -c release for representative figures: swift build -c release --product digitinfer-cli.)
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Timed single-image runs.")
  var iterations = 20000

  @Option(help: "Threads for the throughput run (default: all cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "Images per dgi_classify_batch call in the batch and throughput runs.")
  var batch = 1000

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  func validate() throws {
    if iterations < 100 { throw ValidationError("--iterations must be at least 100") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if batch < 1 { throw ValidationError("--batch must be at least 1") }
  }

  func run() throws {
    try reportingFailures {
      let model = try modelOptions.load()
      let info = model.info

      // Load time: the whole validation, averaged.
      var record = dgi_model()
      let loads = 500
      let loadStart = DispatchTime.now().uptimeNanoseconds
      model.model.withUnsafeBytes { bytes in
        for _ in 0..<loads { _ = dgi_model_open(&record, bytes.baseAddress, bytes.count) }
      }
      let loadMicroseconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / Double(loads) / 1000

      // Realistic inputs, and the cost of making them.
      var pipeline = Pipeline(model: model)
      let drawings = (0..<10).map(SyntheticDigits.draw)
      var inputs: [[UInt8]] = []
      var answers: [Int] = []
      for drawing in drawings {
        guard case .success(let r) = drawing.withUnsafeBufferPointer({
          pipeline.preprocess($0, width: SyntheticDigits.width, height: SyntheticDigits.height, stride: SyntheticDigits.width, ink: .auto)
        }) else { throw Failure("synthetic digit: dgi_preprocess found no ink") }
        inputs.append(r.input)
        if case .success(let answer) = pipeline.classify(r.input) { answers.append(Int(answer.digit)) }
      }
      let preprocessRuns = max(100, iterations / 20)
      let preprocess = Self.percentiles((0..<preprocessRuns).map { i in
        drawings[i % 10].withUnsafeBufferPointer { image in
          Self.time {
            _ = pipeline.preprocess(image, width: SyntheticDigits.width, height: SyntheticDigits.height, stride: SyntheticDigits.width, ink: .auto)
          }
        }
      })

      // Single-image latency, after a warm-up.
      for i in 0..<1000 { _ = pipeline.classify(inputs[i % 10]) }
      let latency = Self.percentiles((0..<iterations).map { i in
        inputs[i % 10].withUnsafeBufferPointer { input in Self.time { _ = pipeline.classify(input) } }
      })

      // Batches on one thread: the ten inputs repeated, stored one after another.
      let batchInputs = (0..<batch).flatMap { inputs[$0 % 10] }
      let batchRuns = max(5, iterations / batch)
      var results = [dgi_result](repeating: dgi_result(), count: batch)
      let classifyBatch = { (pipeline: inout Pipeline, count: Int, results: inout [dgi_result]) in
        batchInputs.withUnsafeBufferPointer { inputs in
          results.withUnsafeMutableBufferPointer { results in
            _ = pipeline.classifyBatch(
              UnsafeBufferPointer(rebasing: inputs[0 ..< count * Int(DGI_INPUT_SIZE)]),
              into: UnsafeMutableBufferPointer(rebasing: results[0 ..< count]))
          }
        }
      }
      classifyBatch(&pipeline, batch, &results)
      // The same answers as dgi_classify, image by image.
      if answers.count != 10 || results.map({ Int($0.digit) }) != (0..<batch).map({ answers[$0 % 10] }) {
        throw Failure("dgi_classify_batch disagrees with dgi_classify on the synthetic digits")
      }
      let batchMicroseconds = Self.percentiles((0..<batchRuns).map { _ in
        Self.time { classifyBatch(&pipeline, batch, &results) } / Double(batch)
      }).median

      // Throughput: one shared model, the images split between the threads,
      // each thread with its own pipeline (scratch), batch by batch.
      let total = max(iterations, 2000) * threads
      let shared = UnsafeSendable((model, classifyBatch))
      let start = DispatchTime.now().uptimeNanoseconds
      DispatchQueue.concurrentPerform(iterations: threads) { worker in
        var local = Pipeline(model: shared.value.0)
        var results = [dgi_result](repeating: dgi_result(), count: batch)
        var remaining = total * (worker + 1) / threads - total * worker / threads
        while remaining > 0 {
          let count = min(batch, remaining)
          shared.value.1(&local, count, &results)
          remaining -= count
        }
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let throughput = Double(total) / seconds
      let supported = Kernels.supportedNames

      if json {
        Stdout.line(JSON.object(model.jsonFields + [
          ("kernels", JSON.string(model.kernelsName)),
          ("kernels_supported", JSON.array(supported.map(JSON.string))), ("macs", String(info.macs)), ("parameters", String(info.parameter_count)),
          ("file_bytes", String(info.file_size)), ("scratch_bytes", String(info.scratch_size)),
          ("load_us", String(format: "%.2f", loadMicroseconds)),
          ("preprocess_median_us", String(format: "%.2f", preprocess.median)),
          ("preprocess_p99_us", String(format: "%.2f", preprocess.p99)),
          ("latency_median_us", String(format: "%.2f", latency.median)),
          ("latency_p99_us", String(format: "%.2f", latency.p99)),
          ("batch_size", String(batch)), ("batch_us_per_image", String(format: "%.2f", batchMicroseconds)),
          ("batch_images_per_second", String(format: "%.0f", 1e6 / batchMicroseconds)),
          ("threads", String(threads)), ("images_per_second", String(format: "%.0f", throughput)),
          ("synthetic_digits_read_as", JSON.array(answers.map { $0 == Int(DGI_NOT_A_DIGIT) ? "null" : String($0) })),
        ]))
      } else {
        Stdout.line("model        \(model.sourceDescription)")
        Stdout.line("             \(Int(info.macs).formatted()) MACs, \(Int(info.parameter_count).formatted()) parameters, \(Int(info.file_size).formatted()) bytes, \(info.scratch_size.formatted()) bytes scratch")
        Stdout.line("kernels      \(model.kernelsName) (\(modelOptions.kernelOptions.origin(of: model)); this CPU supports \(supported.joined(separator: ", ")))")
        Stdout.line(String(format: "load         %.2f us (dgi_model_open: validation and CRC-32)", loadMicroseconds))
        Stdout.line(String(format: "preprocess   median %.2f us   p99 %.2f us   (%dx%d image, %d runs)",
          preprocess.median, preprocess.p99, SyntheticDigits.width, SyntheticDigits.height, preprocessRuns))
        Stdout.line(String(format: "latency      median %.2f us   p99 %.2f us   (dgi_classify, %d runs, 1 thread)", latency.median, latency.p99, iterations))
        Stdout.line(String(format: "batch        %.2f us per image, %@ images/s   (dgi_classify_batch of %d images, median of %d batches, 1 thread)",
          batchMicroseconds, Int((1e6 / batchMicroseconds).rounded()).formatted(), batch, batchRuns))
        Stdout.line(String(format: "throughput   %@ images/s on %d thread%@   (dgi_classify_batch, %d images a call)",
          Int(throughput.rounded()).formatted(), threads, threads == 1 ? "" : "s", batch))
        Stdout.line("inputs       synthetic digits 0-9, read as \(answers.map { $0 == Int(DGI_NOT_A_DIGIT) ? "-" : String($0) }.joined(separator: " "))")
      }
    }
  }

  /// Microseconds `body` takes.
  private static func time(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000
  }

  private static func percentiles(_ samples: [Double]) -> (median: Double, p99: Double) {
    let sorted = samples.sorted()
    return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
  }
}

/// Handwriting-like digits drawn as thick pen strokes on grey paper with a
/// lighting gradient, for benchmarks that should see realistic inputs.
enum SyntheticDigits {
  static let width = 120
  static let height = 160

  /// Strokes in a unit box (x right, y down), one list of points per stroke.
  static let strokes: [[[(Double, Double)]]] = [
    [ellipse(cx: 0.5, cy: 0.5, rx: 0.3, ry: 0.42)],
    [[(0.35, 0.2), (0.55, 0.06), (0.55, 0.94)]],
    [[(0.2, 0.25), (0.33, 0.09), (0.6, 0.06), (0.78, 0.2), (0.75, 0.42), (0.2, 0.93), (0.85, 0.93)]],
    [[(0.2, 0.1), (0.75, 0.1), (0.45, 0.43), (0.72, 0.52), (0.8, 0.74), (0.6, 0.93), (0.2, 0.88)]],
    [[(0.62, 0.94), (0.62, 0.06), (0.15, 0.65), (0.85, 0.65)]],
    [[(0.8, 0.06), (0.3, 0.06), (0.25, 0.45), (0.6, 0.4), (0.8, 0.6), (0.7, 0.88), (0.2, 0.92)]],
    [[(0.7, 0.06), (0.4, 0.3), (0.24, 0.62), (0.32, 0.9), (0.6, 0.94), (0.78, 0.75), (0.62, 0.52), (0.28, 0.6)]],
    [[(0.15, 0.06), (0.85, 0.06), (0.4, 0.94)]],
    [ellipse(cx: 0.5, cy: 0.27, rx: 0.22, ry: 0.21), ellipse(cx: 0.5, cy: 0.72, rx: 0.26, ry: 0.22)],
    [ellipse(cx: 0.48, cy: 0.3, rx: 0.24, ry: 0.22), [(0.72, 0.3), (0.66, 0.94)]],
  ]

  static func ellipse(cx: Double, cy: Double, rx: Double, ry: Double) -> [(Double, Double)] {
    (0...24).map { i in
      let a = Double(i) / 24 * 2 * Double.pi
      return (cx + rx * sin(a), cy - ry * cos(a))
    }
  }

  /// Digit `digit` as width x height grey pixels, row-major (dark ink).
  static func draw(_ digit: Int) -> [UInt8] {
    let box = (x: 20.0, y: 20.0, w: Double(width) - 40, h: Double(height) - 40)
    var ink = [Double](repeating: 0, count: width * height)
    for stroke in strokes[digit] {
      let points = stroke.map { SIMD2(box.x + $0.0 * box.w, box.y + $0.1 * box.h) }
      let coverage = PenStroke.coverage(points, width: 5, imageWidth: width, imageHeight: height)
      for i in ink.indices { ink[i] = max(ink[i], coverage[i]) }
    }
    return (0..<(width * height)).map { i in
      // Paper: 215 on the left fading to 180 on the right (a shadow).
      let paper = 215 - 35 * Double(i % width) / Double(width)
      return UInt8((paper * (1 - ink[i]) + 40 * ink[i]).rounded())
    }
  }
}
