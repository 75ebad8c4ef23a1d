import DigitInfer
import Foundation
import Testing

/// `--version` of both tools is DGI_VERSION of include/digitinfer.h, the
/// one version string of the project, as dgi_version() reports it.
@Suite struct VersionTests {
  /// DGI_VERSION as the header writes it.
  static func headerVersion() throws -> String {
    let header = try String(contentsOfFile: CLI.packageRoot.appendingPathComponent("include/digitinfer.h").path, encoding: .utf8)
    let line = try #require(header.split(separator: "\n").first { $0.hasPrefix("#define DGI_VERSION ") })
    let fields = line.split(separator: "\"")
    try #require(fields.count >= 2, "no quoted version in \(line)")
    return String(fields[1])
  }

  @Test func libraryReportsTheHeadersVersion() throws {
    let version = try Self.headerVersion()
    #expect(String(cString: try #require(dgi_version())) == version)
    // MAJOR.MINOR.PATCH
    #expect(version.split(separator: ".").count == 3 && version.split(separator: ".").allSatisfy { Int($0) != nil })
  }

  @Test(arguments: [CLI.executable, CLI.exportModel])
  func printsTheVersion(executable: String) throws {
    let run = try CLI.run(["--version"], executable: executable)
    #expect(run.status == 0, "\(run.stderr)")
    let version = try Self.headerVersion()
    #expect(run.stdout == version + "\n")
    #expect(run.stderr.isEmpty)
  }
}
