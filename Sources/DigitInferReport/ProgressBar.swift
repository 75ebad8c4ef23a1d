import Foundation

/// A single-line progress bar for one epoch on stderr:
///
///     epoch 3/20 [#########.........] 27,500/55,000  loss 0.0412  acc 98.71%  9,850 img/s  ETA 3s
///
/// Redrawn in place at most ten times a second, and only when stderr is a
/// terminal: in a log file a redrawn line is noise. `finish` then replaces
/// the bar with the caller's summary line on stdout, so a log gets exactly
/// one line per epoch. `quiet` silences both.
///
/// Safe to call from several threads; output is serialised.
public final class ProgressBar: @unchecked Sendable {
  private let label: String
  private let total: Int
  private let quiet: Bool
  private let width: Int
  private let isTerminal: Bool
  private let columns: Int
  private let output: (String) -> Void
  private let progressOutput: (String) -> Void
  private let clock: () -> Double
  private let start: Double
  private let interval = 0.1

  private let lock = NSLock()
  private var lastDraw: Double?
  private var finished = false

  /// - Parameters:
  ///   - output: receives the summary line, newline included; default stdout.
  ///   - progressOutput: receives the redrawn bar; default stderr.
  ///   - isTerminal: whether to draw the bar; default `isatty(stderr)`.
  ///   - clock: seconds from any fixed origin; default monotonic time.
  ///   - columns: the terminal width the bar must fit in, so that it never
  ///     wraps (a wrapped line cannot be redrawn with "\r"); default from
  ///     the terminal, then $COLUMNS, then 80.
  public init(
    label: String, total: Int, quiet: Bool, width: Int = 30,
    output: ((String) -> Void)? = nil, progressOutput: ((String) -> Void)? = nil,
    isTerminal: Bool? = nil, clock: (() -> Double)? = nil, columns: Int? = nil
  ) {
    self.label = label
    self.total = max(0, total)
    self.quiet = quiet
    self.width = max(1, width)
    let terminal = isTerminal ?? (isatty(STDERR_FILENO) != 0)
    self.isTerminal = terminal
    self.columns = columns ?? (terminal ? Self.terminalColumns() : 80)
    // Flushed at once: epoch lines should reach a log file or pipe as they
    // happen, not when the process exits.
    self.output = output ?? {
      print($0, terminator: "")
      fflush(nil)  // all output streams; names no global, which Swift 6 would flag
    }
    self.progressOutput = progressOutput ?? { FileHandle.standardError.write(Data($0.utf8)) }
    self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    self.start = self.clock()
  }

  /// Reports `done` of `total` images processed so far, with the running
  /// loss and accuracy (a fraction). Cheap to call after every batch.
  public func update(done: Int, loss: Double, accuracy: Double) {
    guard !quiet, isTerminal else { return }
    lock.lock()
    defer { lock.unlock() }
    guard !finished else { return }
    let now = clock()
    // The last batch is always drawn so that the bar ends full.
    if let lastDraw, now - lastDraw < interval, done < total { return }
    lastDraw = now
    let line = render(done: done, loss: loss, accuracy: accuracy, elapsed: now - start)
    // "\e[K" clears what a longer previous line left to the right.
    progressOutput("\r" + line + "\u{1B}[K")
  }

  /// Clears the bar and prints `summary` as one line. Later calls, and
  /// updates after it, are ignored.
  public func finish(summary: String) {
    lock.lock()
    defer { lock.unlock() }
    guard !finished else { return }
    finished = true
    guard !quiet else { return }
    if isTerminal, lastDraw != nil { progressOutput("\r\u{1B}[K") }
    output(summary + "\n")
  }

  /// The bar's text without control characters; `elapsed` in seconds since
  /// the epoch started.
  func render(done: Int, loss: Double, accuracy: Double, elapsed: Double) -> String {
    let done = min(max(0, done), total)
    let rate = elapsed > 0 ? Double(done) / elapsed : .nan
    let eta = rate > 0 ? ReportFormat.shortDuration(Double(total - done) / rate) : "--"
    let rateText = rate.isFinite ? ReportFormat.fixed(rate, 0) : "--"
    let fraction = total > 0 ? Double(done) / Double(total) : 1
    let barWidth = self.barWidth
    let filled = min(barWidth, Int(fraction * Double(barWidth)))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
    let line =
      "\(label) [\(bar)]"
      + figures(done: done, loss: loss, accuracy: accuracy, rate: rateText, eta: eta)
    // Only figures wider than planned for get here; a wrapped line could
    // not be redrawn in place.
    return line.count < columns ? line : String(line.prefix(max(1, columns - 1)))
  }

  private func figures(done: Int, loss: Double, accuracy: Double, rate: String, eta: String) -> String {
    let totalText = ReportFormat.grouped(total)
    var doneText = ReportFormat.grouped(done)
    // Fixed width, so that the figures after it do not jump as digits grow.
    doneText = String(repeating: " ", count: max(0, totalText.count - doneText.count)) + doneText
    return " \(doneText)/\(totalText)  loss \(ReportFormat.loss(loss))  acc \(ReportFormat.percent(accuracy))"
      + "  \(rate) img/s  ETA \(eta)"
  }

  /// The widest bar that fits beside typical figures. It depends only on
  /// the label, total and terminal width, so that the bar keeps its length
  /// while the figures beside it change.
  private var barWidth: Int {
    let typical = figures(done: total, loss: 0, accuracy: 0.9999, rate: "99,999", eta: "59m59s")
    return min(width, max(5, columns - 1 - label.count - 3 - typical.count))
  }

  private static func terminalColumns() -> Int {
    #if canImport(Glibc)
      var size = winsize()
      if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
        return Int(size.ws_col)
      }
    #endif
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 {
      return value
    }
    return 80
  }
}
