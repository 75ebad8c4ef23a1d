import Foundation
import Testing

@testable import DigitInferReport

/// Collects what a ProgressBar writes.
final class Sink: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [String] = []
  var writes: [String] { lock.withLock { stored } }
  func write(_ text: String) { lock.withLock { stored.append(text) } }
}

/// A clock the test moves by hand.
final class FakeClock: @unchecked Sendable {
  var now = 0.0
}

@Suite struct ProgressBarTests {
  @Test func silentUntilFinishWhenNotATerminal() {
    let output = Sink(), progress = Sink()
    let bar = ProgressBar(
      label: "epoch 1/2", total: 1000, quiet: false,
      output: output.write, progressOutput: progress.write, isTerminal: false)
    for done in stride(from: 0, through: 1000, by: 10) {
      bar.update(done: done, loss: 0.1, accuracy: 0.9)
    }
    #expect(output.writes.isEmpty)
    #expect(progress.writes.isEmpty)
    bar.finish(summary: "epoch 1/2  loss 0.1000  acc 90.00%")
    #expect(output.writes == ["epoch 1/2  loss 0.1000  acc 90.00%\n"])
    #expect(progress.writes.isEmpty)
    bar.finish(summary: "again")
    #expect(output.writes.count == 1)
  }

  @Test func quietSilencesEverything() {
    let output = Sink(), progress = Sink()
    let bar = ProgressBar(
      label: "epoch 1/1", total: 10, quiet: true,
      output: output.write, progressOutput: progress.write, isTerminal: true)
    bar.update(done: 10, loss: 0.1, accuracy: 0.9)
    bar.finish(summary: "done")
    #expect(output.writes.isEmpty && progress.writes.isEmpty)
  }

  @Test func drawsTheBarOnATerminal() {
    let output = Sink(), progress = Sink(), clock = FakeClock()
    let bar = ProgressBar(
      label: "epoch 3/20", total: 55_000, quiet: false,
      output: output.write, progressOutput: progress.write, isTerminal: true,
      clock: { clock.now }, columns: 200)
    clock.now = 27_500 / 9_850
    bar.update(done: 27_500, loss: 0.041249, accuracy: 0.98712)
    #expect(
      progress.writes == [
        "\repoch 3/20 [###############...............] 27,500/55,000  loss 0.0412  acc 98.71%  9,850 img/s  ETA 3s\u{1B}[K"
      ])
    bar.finish(summary: "summary")
    #expect(progress.writes.last == "\r\u{1B}[K")
    #expect(output.writes == ["summary\n"])
  }

  @Test func redrawsAtMostTenTimesASecond() {
    let progress = Sink(), clock = FakeClock()
    let bar = ProgressBar(
      label: "e", total: 100, quiet: false,
      output: { _ in }, progressOutput: progress.write, isTerminal: true, clock: { clock.now }, columns: 200)
    for done in 1...99 {
      clock.now = Double(done) * 0.01  // one update every 10 ms for ~1 s
      bar.update(done: done, loss: 1, accuracy: 0.5)
    }
    #expect((9...11).contains(progress.writes.count))
    clock.now += 0.001
    bar.update(done: 100, loss: 1, accuracy: 0.5)  // the last one is always drawn
    #expect(progress.writes.last?.contains("100/100") == true)
  }

  @Test func fitsANarrowTerminal() {
    let progress = Sink(), clock = FakeClock()
    let bar = ProgressBar(
      label: "epoch 3/20", total: 55_000, quiet: false,
      output: { _ in }, progressOutput: progress.write, isTerminal: true, clock: { clock.now }, columns: 80)
    clock.now = 1
    bar.update(done: 1_000, loss: 0.5, accuracy: 0.8)
    clock.now = 10
    bar.update(done: 55_000, loss: 0.04, accuracy: 0.99)
    let lines = progress.writes.map { $0.dropFirst().replacingOccurrences(of: "\u{1B}[K", with: "") }
    #expect(lines.count == 2)
    for line in lines {
      #expect(line.count < 80)
      #expect(line.contains("ETA"))
    }
    // The bar keeps its length while the figures change.
    let bars = lines.map { $0.split(separator: "[")[1].split(separator: "]")[0].count }
    #expect(bars[0] == bars[1])
  }
}
