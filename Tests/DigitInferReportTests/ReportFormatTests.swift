import Testing

@testable import DigitInferReport

@Suite struct ReportFormatTests {
  @Test func groupsThousands() {
    #expect(ReportFormat.grouped(0) == "0")
    #expect(ReportFormat.grouped(999) == "999")
    #expect(ReportFormat.grouped(1000) == "1,000")
    #expect(ReportFormat.grouped(1_234_567) == "1,234,567")
    #expect(ReportFormat.grouped(-55_000) == "-55,000")
    #expect(ReportFormat.fixed(9850.26, 0) == "9,850")
    #expect(ReportFormat.fixed(-0.0001, 2) == "0.00")
    #expect(ReportFormat.fixed(-1234.5, 1) == "-1,234.5")
  }

  @Test func percentagesLossesAndPoints() {
    #expect(ReportFormat.percent(0.98712) == "98.71%")
    #expect(ReportFormat.percent(1) == "100.00%")
    #expect(ReportFormat.loss(0.041249) == "0.0412")
    #expect(ReportFormat.points(-0.0003) == "-0.03")
    #expect(ReportFormat.points(0.0012) == "+0.12")
    #expect(ReportFormat.points(0) == "0.00")
    #expect(ReportFormat.loss(.nan) == "NaN")
    #expect(ReportFormat.percent(-.infinity) == "-inf")
  }

  @Test func durationsAndSizes() {
    #expect(ReportFormat.duration(0.842) == "0.84 s")
    #expect(ReportFormat.duration(45.21) == "45.2 s")
    #expect(ReportFormat.duration(133) == "2 min 13 s")
    #expect(ReportFormat.duration(3720) == "1 h 02 min")
    #expect(ReportFormat.shortDuration(2.2) == "3s")
    #expect(ReportFormat.shortDuration(65) == "1m05s")
    #expect(ReportFormat.shortDuration(.infinity) == "--")
    #expect(ReportFormat.bytes(512) == "512 bytes")
    #expect(ReportFormat.bytes(13_456) == "13,456 bytes (13.1 KiB)")
    #expect(ReportFormat.rate(0.001) == "0.001")
  }
}
