import Foundation

extension ModelCard {
  /// A readable Markdown card: summary, layers, per-digit accuracy, the int8
  /// confusion matrix, training history with a link to the plot,
  /// calibration, data credit and notes.
  public func markdown() -> String {
    var md = MarkdownText()
    md.line("# \(name)")
    md.line()
    md.line(
      "Int8 handwritten-digit classifier: **\(ReportFormat.percent(int8Test.accuracy))** test accuracy"
        + " (float model \(ReportFormat.percent(floatTest.accuracy))),"
        + " \(ReportFormat.grouped(parameters)) parameters, \(ReportFormat.bytes(fileBytes)).")
    md.line()
    summary(into: &md)
    layerTable(into: &md)
    perClassTable(into: &md)
    confusionTable(into: &md)
    notADigitSection(into: &md)
    history(into: &md)
    md.line("## Calibration")
    md.line()
    md.line(calibration.isEmpty ? "Not recorded." : calibration)
    md.line()
    md.line("## Data")
    md.line()
    md.line(dataset.isEmpty ? "Not recorded." : dataset)
    if !notes.isEmpty {
      md.line()
      md.line("## Notes")
      md.line()
      for note in notes { md.line("- " + note) }
    }
    return md.text
  }

  private func summary(into md: inout MarkdownText) {
    let float = floatTest, int8 = int8Test
    md.row(["Summary", ""])
    md.row(["---", "---"], escaped: false)
    md.row(["Architecture", "`\(architecture)`"])
    md.row(["Parameters", ReportFormat.grouped(parameters)])
    md.row(["Multiply-accumulates per image", ReportFormat.grouped(macs)])
    md.row(["File size", ReportFormat.bytes(fileBytes)])
    md.row(["Scratch memory (activations)", ReportFormat.bytes(scratchBytes)])
    md.row([
      "Test accuracy, float",
      "\(ReportFormat.percent(float.accuracy)) (\(ReportFormat.grouped(float.correct)) / \(ReportFormat.grouped(float.total)))",
    ])
    md.row([
      "Test accuracy, int8",
      "\(ReportFormat.percent(int8.accuracy)) (\(ReportFormat.grouped(int8.correct)) / \(ReportFormat.grouped(int8.total)))",
    ])
    md.row(["Int8 minus float", ReportFormat.points(int8.accuracy - float.accuracy) + " points"])
    md.row(["Validation accuracy, int8", ReportFormat.percent(validationAccuracy)])
    let epochCount = epochs.count == 1 ? "1 epoch" : "\(epochs.count) epochs"
    md.row(["Training time", "\(ReportFormat.duration(trainingSeconds)) (\(epochCount))"])
    md.row(["Seed", "\(seed)"])
    md.row(["Date", date])
    md.line()
    md.line("Reproduce with:")
    md.line()
    md.codeBlock(command, language: "sh")
    md.line()
  }

  private func layerTable(into md: inout MarkdownText) {
    md.line("## Layers")
    md.line()
    if layers.isEmpty {
      md.line("Not recorded.")
    } else {
      md.row(["#", "Layer"])
      md.row(["--:", "---"], escaped: false)
      for (index, layer) in layers.enumerated() { md.row(["\(index + 1)", layer]) }
      md.line()
      md.line(
        "Total: \(ReportFormat.grouped(parameters)) parameters,"
          + " \(ReportFormat.grouped(macs)) multiply-accumulates per image.")
    }
    md.line()
  }

  private func perClassTable(into md: inout MarkdownText) {
    md.line("## Test accuracy per digit")
    md.line()
    md.line("Accuracy is recall: of the test images of a digit, the share classified as that digit.")
    md.line("Precision: of the images classified as a digit, the share that are that digit.")
    md.line()
    md.row(["Digit", "Test images", "Float", "Int8", "Int8 precision"])
    md.row(["--:", "--:", "--:", "--:", "--:"], escaped: false)
    let classes = max(floatTest.classes, int8Test.classes)
    let floatRecall = floatTest.recall, int8Recall = int8Test.recall
    let int8Precision = int8Test.precision
    let floatSupport = floatTest.support, int8Support = int8Test.support
    let int8Predicted = int8Test.predicted
    // "–" rather than 0% where a figure has no images to be computed from.
    func share(_ values: [Double], _ counts: [Int], _ c: Int) -> String {
      c < counts.count && counts[c] > 0 ? ReportFormat.percent(values[c]) : "–"
    }
    // The test set has digits only: a "not a digit" row would be empty.
    for c in 0..<min(classes, 10) {
      let images = c < int8Support.count ? int8Support[c] : floatSupport[c]
      md.row([
        "\(c)", ReportFormat.grouped(images),
        share(floatRecall, floatSupport, c), share(int8Recall, int8Support, c),
        share(int8Precision, int8Predicted, c),
      ])
    }
    md.line()
  }

  private func notADigitSection(into md: inout MarkdownText) {
    guard let n = notADigit else { return }
    md.line("## Not a digit")
    md.line()
    md.line("Rejection: \(n.method). Negative test set: \(n.negativeSet).")
    md.line()
    md.row(["Figure", ""])
    md.row(["---", "--:"], escaped: false)
    md.row([
      "Negatives accepted as digits, int8",
      "\(ReportFormat.percent(n.acceptanceRate)) (\(ReportFormat.grouped(n.acceptedInt8)) / \(ReportFormat.grouped(n.negatives)))",
    ])
    if let float = n.acceptedFloat, n.negatives > 0 {
      md.row([
        "Negatives accepted as digits, float",
        "\(ReportFormat.percent(Double(float) / Double(n.negatives))) (\(ReportFormat.grouped(float)) / \(ReportFormat.grouped(n.negatives)))",
      ])
    }
    md.row(["MNIST test digits rejected", ReportFormat.grouped(n.rejectedTestDigits)])
    md.row(["MNIST test accuracy, rejections counted as errors", ReportFormat.percent(n.testAccuracy)])
    md.line()
    md.row(["Kind of negative", "Accepted", "Images"])
    md.row(["---", "--:", "--:"], escaped: false)
    for (kind, counts) in n.acceptedByKind.sorted(by: { $0.key < $1.key }) where counts.count == 2 {
      md.row([kind, counts[1] > 0 ? ReportFormat.percent(Double(counts[0]) / Double(counts[1])) : "–", ReportFormat.grouped(counts[1])])
    }
    md.line()
  }

  private func confusionTable(into md: inout MarkdownText) {
    md.line("## Int8 confusion matrix")
    md.line()
    md.line("Rows are true digits, columns predicted digits; the diagonal (bold) is correct.")
    md.line()
    let classes = int8Test.classes
    md.row(["true \\ predicted"] + (0..<classes).map { $0 == 10 ? "not a digit" : "\($0)" }, escaped: false)
    md.row(["---"] + Array(repeating: "--:", count: classes), escaped: false)
    for (truth, row) in int8Test.confusion.enumerated() {
      let cells = row.enumerated().map { predicted, count in
        predicted == truth ? "**\(ReportFormat.grouped(count))**" : ReportFormat.grouped(count)
      }
      md.row(["**\(truth)**"] + cells, escaped: false)
    }
    md.line()
  }

  private func history(into md: inout MarkdownText) {
    md.line("## Training")
    md.line()
    let link = plotFileName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? plotFileName
    md.line("![Loss and accuracy per epoch](\(link))")
    md.line()
    if epochs.isEmpty {
      md.line("No training history recorded.")
    } else {
      md.row([
        "Epoch", "Learning rate", "Train loss", "Train accuracy",
        "Validation loss", "Validation accuracy", "Time", "Images/s",
      ])
      md.row(["--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"], escaped: false)
      for e in epochs {
        md.row([
          "\(e.epoch)", ReportFormat.rate(e.learningRate),
          ReportFormat.loss(e.trainLoss), ReportFormat.percent(e.trainAccuracy),
          ReportFormat.loss(e.validationLoss), ReportFormat.percent(e.validationAccuracy),
          ReportFormat.duration(e.seconds), ReportFormat.fixed(e.imagesPerSecond, 0),
        ])
      }
      let finite = epochs.filter { $0.validationAccuracy.isFinite }
      if let best = finite.max(by: { $0.validationAccuracy < $1.validationAccuracy }) {
        md.line()
        md.line(
          "Best validation accuracy: \(ReportFormat.percent(best.validationAccuracy)) at epoch \(best.epoch)."
        )
      }
    }
    md.line()
  }
}

/// Accumulates Markdown, escaping what would break a table.
struct MarkdownText {
  var text = ""

  mutating func line(_ content: String = "") {
    text += content + "\n"
  }

  /// A table row. Pipes in free text would split cells and newlines would
  /// end the row, so both are neutralised unless the caller built the cells.
  mutating func row(_ cells: [String], escaped: Bool = true) {
    let safe =
      escaped
      ? cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
      : cells
    line("| " + safe.joined(separator: " | ") + " |")
  }

  /// A fenced block whose fence is longer than any backtick run inside, so
  /// that no command can close it early.
  mutating func codeBlock(_ content: String, language: String = "") {
    var longest = 0, run = 0
    for character in content {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    line(fence + language)
    line(content)
    line(fence)
  }
}
