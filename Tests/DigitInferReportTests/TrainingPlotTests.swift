import Foundation
import Testing

@testable import DigitInferReport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The elements of an SVG, each with the panel it sits in.
final class SVGElements: NSObject, XMLParserDelegate {
  struct Element {
    var name: String
    var panel: String?
    var attributes: [String: String]
  }
  var elements: [Element] = []
  private var panels: [String?] = []

  /// Nil if the text is not well-formed XML.
  static func parse(_ svg: String) -> SVGElements? {
    let collector = SVGElements()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = collector
    return parser.parse() ? collector : nil
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    let panel = elementName == "g" && attributeDict["class"] == "panel" ? attributeDict["id"] : nil
    panels.append(panel ?? panels.last ?? nil)
    elements.append(Element(name: elementName, panel: panels.last ?? nil, attributes: attributeDict))
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
  ) {
    panels.removeLast()
  }

  func count(_ name: String, in panel: String) -> Int {
    elements.filter { $0.name == name && $0.panel == panel }.count
  }

  /// Every number in a coordinate attribute or a points list.
  var coordinates: [String] {
    let keys = ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy"]
    return elements.flatMap { element in
      keys.compactMap { element.attributes[$0] }
        + (element.attributes["points"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }
  }
}

@Suite struct TrainingPlotTests {
  @Test func fiveEpochsGiveTwoLinesPerPanel() throws {
    let svg = TrainingPlot.svg(epochs(5), title: "mnist-int8: training")
    let parsed = try #require(SVGElements.parse(svg), "not well-formed XML")
    #expect(parsed.elements.first?.name == "svg")
    for panel in ["loss-panel", "accuracy-panel"] {
      #expect(parsed.count("polyline", in: panel) == 2)
      let lines = parsed.elements.filter { $0.name == "polyline" && $0.panel == panel }
      #expect(Set(lines.compactMap { $0.attributes["class"] }) == ["train", "validation"])
      for line in lines {
        #expect(line.attributes["points"]?.split(separator: " ").count == 5)
      }
    }
    #expect(parsed.elements.contains { $0.name == "title" })
    #expect(parsed.elements.filter { $0.name == "text" }.count > 10)  // title, legend, ticks, labels
    #expect(parsed.coordinates.allSatisfy { Double($0)?.isFinite == true })
    #expect(!svg.contains("<script") && !svg.contains("@import") && !svg.contains("href"))
  }

  @Test func oneEpochIsDrawnAsPoints() throws {
    let svg = TrainingPlot.svg(epochs(1), title: "one")
    let parsed = try #require(SVGElements.parse(svg))
    #expect(parsed.count("polyline", in: "loss-panel") == 2)
    #expect(parsed.count("circle", in: "loss-panel") == 2)
    #expect(parsed.count("circle", in: "accuracy-panel") == 2)
    #expect(parsed.coordinates.allSatisfy { Double($0)?.isFinite == true })
  }

  @Test func nonFiniteValuesAreSkipped() throws {
    var history = epochs(5)
    history[2].trainLoss = .nan
    history[3].validationLoss = .infinity
    history[4].trainAccuracy = -.infinity
    let svg = TrainingPlot.svg(history, title: "diverged")
    let parsed = try #require(SVGElements.parse(svg))
    #expect(!parsed.coordinates.isEmpty)
    #expect(parsed.coordinates.allSatisfy { Double($0)?.isFinite == true })
    #expect(!svg.lowercased().contains("nan"))
    #expect(!svg.lowercased().contains("inf"))
    let lossLines = parsed.elements.filter { $0.name == "polyline" && $0.panel == "loss-panel" }
    #expect(lossLines.map { $0.attributes["points"]?.split(separator: " ").count } == [4, 4])
  }

  @Test func degenerateHistoriesDoNotCrash() throws {
    var allNaN = epochs(3)
    for i in allNaN.indices { allNaN[i].trainLoss = .nan; allNaN[i].validationLoss = .nan }
    var huge = epochs(3)
    huge[0].trainLoss = 1e308
    huge[1].validationLoss = -1e308
    var flat = epochs(4)
    for i in flat.indices { flat[i].trainAccuracy = 1; flat[i].validationAccuracy = 1 }
    for (history, title) in [([], "empty"), (allNaN, "all NaN"), (huge, "huge"), (flat, "flat <&> \"100%\"")] {
      let svg = TrainingPlot.svg(history, title: title)
      let parsed = try #require(SVGElements.parse(svg), "\(title)")
      #expect(parsed.coordinates.allSatisfy { Double($0)?.isFinite == true }, "\(title)")
    }
    let noLoss = try #require(SVGElements.parse(TrainingPlot.svg(allNaN, title: "x")))
    #expect(noLoss.count("polyline", in: "loss-panel") == 0)
    #expect(noLoss.count("polyline", in: "accuracy-panel") == 2)
  }

  @Test func axesUseRoundTicks() {
    let loss = Axis.nice([0.05, 0.31], includeZero: true, limits: nil)
    #expect(loss.ticks.map(loss.label) == ["0.0", "0.1", "0.2", "0.3", "0.4"])
    let accuracy = Axis.nice([97.2, 99.6], includeZero: false, limits: 0...100)
    #expect(accuracy.ticks.map(accuracy.label) == ["97.0", "97.5", "98.0", "98.5", "99.0", "99.5", "100.0"])
    let perfect = Axis.nice([100, 100], includeZero: false, limits: 0...100)
    #expect(perfect.high == 100 && perfect.low < 100)
    let twenty = Axis.epochs((1...20).map(Double.init))
    #expect(twenty.ticks == [1, 5, 10, 15, 20])
  }
}
