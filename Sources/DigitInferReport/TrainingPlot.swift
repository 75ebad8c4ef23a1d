import Foundation

/// Training curves as a self-contained SVG: no fonts, scripts or styles
/// from elsewhere, so that it renders the same on GitHub, in a browser and
/// in an image viewer.
public enum TrainingPlot {
  static let width = 640.0, height = 300.0
  static let trainColor = "#1f77b4", validationColor = "#d95f02"

  /// Two panels side by side: loss, and accuracy in %, per epoch, each with
  /// a train and a validation line. Non-finite values are left out of the
  /// lines and the axis ranges rather than poisoning the coordinates.
  public static func svg(_ epochs: [EpochRecord], title: String) -> String {
    var svg = SVGText()
    svg.add(
      #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" "#
        + ##"viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="sans-serif" font-size="11" fill="#222">"##)
    svg.add("<title>\(escape(title))</title>")
    svg.add(#"<rect width="100%" height="100%" fill="white"/>"#)
    svg.add(#"<text x="\#(f(width / 2))" y="20" text-anchor="middle" font-size="15" font-weight="bold">\#(escape(title))</text>"#)
    legend(into: &svg)

    let xs = epochs.map { Double($0.epoch) }
    let epochAxis = Axis.epochs(xs)
    let lossAxis = Axis.nice(
      epochs.flatMap { [$0.trainLoss, $0.validationLoss] }, includeZero: true, limits: nil)
    let accuracyAxis = Axis.nice(
      epochs.flatMap { [$0.trainAccuracy * 100, $0.validationAccuracy * 100] },
      includeZero: false, limits: 0...100)
    let frame = (top: 58.0, bottom: 250.0)
    panel(
      into: &svg, id: "loss", label: "loss", x: epochAxis, y: lossAxis,
      left: 60, right: 300, top: frame.top, bottom: frame.bottom,
      series: [
        ("train", trainColor, "", zip(xs, epochs.map(\.trainLoss)).map { $0 }),
        ("validation", validationColor, "6 3", zip(xs, epochs.map(\.validationLoss)).map { $0 }),
      ],
      empty: epochs.isEmpty)
    panel(
      into: &svg, id: "accuracy", label: "accuracy (%)", x: epochAxis, y: accuracyAxis,
      left: 380, right: 620, top: frame.top, bottom: frame.bottom,
      series: [
        ("train", trainColor, "", zip(xs, epochs.map { $0.trainAccuracy * 100 }).map { $0 }),
        ("validation", validationColor, "6 3", zip(xs, epochs.map { $0.validationAccuracy * 100 }).map { $0 }),
      ],
      empty: epochs.isEmpty)
    svg.add("</svg>")
    return svg.text
  }

  private static func legend(into svg: inout SVGText) {
    svg.add(#"<g class="legend">"#)
    let entries = [("train", trainColor, ""), ("validation", validationColor, "6 3")]
    var x = width / 2 - 85
    for (name, color, dash) in entries {
      svg.add(
        #"<line x1="\#(f(x))" y1="36" x2="\#(f(x + 24))" y2="36" stroke="\#(color)" stroke-width="2""#
          + (dash.isEmpty ? "" : #" stroke-dasharray="\#(dash)""#) + "/>")
      svg.add(#"<text x="\#(f(x + 30))" y="40">\#(name)</text>"#)
      x += 95
    }
    svg.add("</g>")
  }

  private static func panel(
    into svg: inout SVGText, id: String, label: String, x: Axis, y: Axis,
    left: Double, right: Double, top: Double, bottom: Double,
    series: [(name: String, color: String, dash: String, points: [(Double, Double)])],
    empty: Bool
  ) {
    func px(_ v: Double) -> Double { x.position(v, from: left, to: right) }
    func py(_ v: Double) -> Double { y.position(v, from: bottom, to: top) }

    svg.add(#"<g class="panel" id="\#(id)-panel">"#)
    for tick in y.ticks {
      let yy = py(tick)
      guard yy.isFinite else { continue }
      svg.add(##"<line x1="\##(f(left))" y1="\##(f(yy))" x2="\##(f(right))" y2="\##(f(yy))" stroke="#e4e4e4"/>"##)
      svg.add(#"<text x="\#(f(left - 6))" y="\#(f(yy + 4))" text-anchor="end">\#(y.label(tick))</text>"#)
    }
    for tick in x.ticks {
      let xx = px(tick)
      guard xx.isFinite else { continue }
      svg.add(##"<line x1="\##(f(xx))" y1="\##(f(bottom))" x2="\##(f(xx))" y2="\##(f(bottom + 4))" stroke="#444"/>"##)
      svg.add(#"<text x="\#(f(xx))" y="\#(f(bottom + 16))" text-anchor="middle">\#(x.label(tick))</text>"#)
    }
    svg.add(
      ##"<path d="M\##(f(left)),\##(f(top)) V\##(f(bottom)) H\##(f(right))" fill="none" stroke="#444"/>"##)
    svg.add(#"<text x="\#(f((left + right) / 2))" y="\#(f(bottom + 34))" text-anchor="middle">epoch</text>"#)
    let middle = (top + bottom) / 2
    svg.add(
      #"<text x="\#(f(left - 44))" y="\#(f(middle))" text-anchor="middle" "#
        + #"transform="rotate(-90 \#(f(left - 44)) \#(f(middle)))">\#(label)</text>"#)
    if empty {
      svg.add(##"<text x="\##(f((left + right) / 2))" y="\##(f(middle))" text-anchor="middle" fill="#888">no epochs</text>"##)
    }
    for line in series {
      let points = line.points.compactMap { point -> (Double, Double)? in
        let (xx, yy) = (px(point.0), py(point.1))
        return xx.isFinite && yy.isFinite ? (xx, yy) : nil
      }
      guard !points.isEmpty else { continue }
      let dash = line.dash.isEmpty ? "" : #" stroke-dasharray="\#(line.dash)""#
      svg.add(
        #"<polyline class="\#(line.name)" points="\#(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))" "#
          + #"fill="none" stroke="\#(line.color)" stroke-width="2" stroke-linejoin="round"\#(dash)/>"#)
      // Markers make a single epoch visible and show where the values are;
      // past a few dozen they would only clutter the line.
      if points.count <= 40 {
        for (xx, yy) in points {
          svg.add(#"<circle class="\#(line.name)" cx="\#(f(xx))" cy="\#(f(yy))" r="2.5" fill="\#(line.color)"/>"#)
        }
      }
    }
    svg.add("</g>")
  }

  /// Coordinates with one decimal: finer than a pixel, and short.
  static func f(_ value: Double) -> String { String(format: "%.1f", value) }

  static func escape(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      default:
        // Control characters other than tab and newline are not allowed in XML 1.0.
        if let ascii = character.asciiValue, ascii < 0x20, ascii != 0x09, ascii != 0x0A {
          result += " "
        } else {
          result.append(character)
        }
      }
    }
    return result
  }
}

private struct SVGText {
  var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
  mutating func add(_ element: String) { text += element + "\n" }
}

/// A linear axis: its range and round-numbered ticks.
struct Axis {
  var low: Double, high: Double
  var ticks: [Double]
  var decimals: Int

  func position(_ value: Double, from start: Double, to end: Double) -> Double {
    start + (value - low) / (high - low) * (end - start)
  }

  func label(_ value: Double) -> String { ReportFormat.fixed(value, decimals) }

  /// Ticks at 1, 2 or 5 times a power of ten, about five of them, over the
  /// finite values; `limits` keeps accuracy within 0...100.
  static func nice(_ values: [Double], includeZero: Bool, limits: ClosedRange<Double>?) -> Axis {
    let finite = values.filter(\.isFinite)
    guard var low = finite.min(), var high = finite.max() else {
      return Axis(low: 0, high: limits?.upperBound ?? 1, ticks: [], decimals: 0)
    }
    if includeZero { low = min(low, 0); high = max(high, 0) }
    if let limits { low = max(low, limits.lowerBound); high = min(high, limits.upperBound) }
    if high <= low {
      let pad = low == 0 ? 1 : abs(low) * 0.05
      low -= pad
      high += pad
      if let limits {
        low = max(low, limits.lowerBound)
        high = min(high, limits.upperBound)
      }
    }
    // Ranges near the limits of Double cannot be divided into ticks.
    guard (high - low).isFinite, high > low else {
      return Axis(low: low, high: high, ticks: [], decimals: 0)
    }
    let (step, decimals) = niceStep((high - low) / 5)
    low = (low / step).rounded(.down) * step
    high = (high / step).rounded(.up) * step
    if let limits { low = max(low, limits.lowerBound); high = min(high, limits.upperBound) }
    let first = (low / step - 1e-9).rounded(.up), last = (high / step + 1e-9).rounded(.down)
    var ticks: [Double] = []
    if first.isFinite, last.isFinite, last - first < 50 {
      var k = first
      while k <= last {
        ticks.append(k * step)
        k += 1
      }
    }
    return Axis(low: low, high: high, ticks: ticks, decimals: decimals)
  }

  /// Whole epochs only; a single epoch gets a unit-wide range around it so
  /// that it sits in the middle of the panel.
  static func epochs(_ values: [Double]) -> Axis {
    guard let first = values.min(), let last = values.max() else {
      return Axis(low: 0.5, high: 1.5, ticks: [1], decimals: 0)
    }
    if first == last { return Axis(low: first - 0.5, high: first + 0.5, ticks: [first], decimals: 0) }
    let step = max(1, niceStep((last - first) / 6).step.rounded())
    var ticks: [Double] = []
    var tick = (first / step).rounded(.up) * step
    // Label the first epoch too unless a round tick sits right beside it.
    if tick - first > step / 2 { ticks.append(first) }
    while tick <= last, ticks.count < 50 {
      ticks.append(tick)
      tick += step
    }
    return Axis(low: first, high: last, ticks: ticks, decimals: 0)
  }

  /// The 1, 2 or 5 times a power of ten nearest above `rough`, and the
  /// decimals its multiples need.
  static func niceStep(_ rough: Double) -> (step: Double, decimals: Int) {
    guard rough.isFinite, rough > 0 else { return (1, 0) }
    let exponent = log10(rough).rounded(.down)
    let power = pow(10, exponent)
    let mantissa = [1.0, 2, 5, 10].first { $0 * power >= rough * (1 - 1e-9) } ?? 10
    let step = mantissa * power
    let decimals = max(0, -Int(log10(step).rounded(.down)))
    return (step, decimals)
  }
}
