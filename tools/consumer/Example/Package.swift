// swift-tools-version:6.1
// A user's package that depends on DigitInfer by version (tools/consumer/test-dependency.sh
// replaces DIGITINFER_URL with a local git repository tagged 99.0.0).
import PackageDescription

let package = Package(
  name: "Example",
  dependencies: [.package(url: "DIGITINFER_URL", from: "99.0.0")],
  targets: [
    .executableTarget(name: "example", dependencies: [.product(name: "DigitInfer", package: "DigitInfer")])
  ]
)
