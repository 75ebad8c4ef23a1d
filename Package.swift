// swift-tools-version:6.1
import PackageDescription

// DIGITINFER_CPU=avx2 builds the runtime's kernels with 256-bit AVX2
// (x86-64-v3, 2013+ CPUs). The default is baseline x86-64 (SSE2), which runs
// everywhere. DIGITINFER_CPU=portable uses the plain-Swift SIMD kernels that
// Arm and WebAssembly get, so that the tests cover them on an x86 host.
// Answers are bit-identical in every case; only speed differs.
let cpuSettings: [SwiftSetting] =
  switch Context.environment["DIGITINFER_CPU"] {
  case "avx2": [.define("DIGITINFER_AVX2"), .unsafeFlags(["-target-cpu", "haswell"])]
  case "portable": [.define("DIGITINFER_PORTABLE")]
  default: []
  }

let package = Package(
  name: "DigitInfer",
  products: [
    .library(name: "DigitInfer", targets: ["DigitInfer"]),
    .library(name: "DigitInferFormat", targets: ["DigitInferFormat"]),
    .executable(name: "digitinfer-bench", targets: ["digitinfer-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // The hand-written C header, imported by the runtime so that every
    // `@c @implementation` function is checked against its declaration.
    .systemLibrary(name: "CDigitInfer", path: "include"),
    // zlib, for the tools (gzip'd IDX files, CRC-32 in the writer).
    .systemLibrary(
      name: "CZlib", path: "Sources/CZlib",
      providers: [.apt(["zlib1g-dev"])]),

    // The runtime. Depends on nothing but the Swift language; the same
    // sources are built as Embedded Swift by tools/install.sh.
    .target(name: "DigitInfer", dependencies: ["CDigitInfer"], swiftSettings: cpuSettings),

    // Writes .dgi files. Used by the exporter, the tests and the benchmark.
    .target(name: "DigitInferFormat", dependencies: ["CZlib"]),

    .executableTarget(
      name: "digitinfer-bench",
      dependencies: [
        "DigitInfer", "DigitInferFormat",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "tools/bench"),

    .testTarget(
      name: "DigitInferTests",
      dependencies: ["DigitInfer", "DigitInferFormat", "CZlib"],
      resources: [.copy("Golden")]),
  ]
)
