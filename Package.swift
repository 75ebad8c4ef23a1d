// swift-tools-version:6.1
import PackageDescription

// The runtime picks its kernels at run time from what the CPU reports
// (Sources/DigitInfer/Dispatch.swift), so it needs no compiler flags and can
// be a versioned dependency of other packages (SwiftPM refuses unsafe compiler flags
// there). DIGITINFER_CPU=portable compiles the plain-Swift SIMD kernels that
// Arm and WebAssembly get in place of the SSE2 ones, so that the tests cover
// them on an x86 host. Answers are bit-identical in every case.
let runtimeSettings: [SwiftSetting] =
  Context.environment["DIGITINFER_CPU"] == "portable" ? [.define("DIGITINFER_PORTABLE")] : []

// Training's threads write disjoint slices through raw pointers, which
// Swift 6 strict concurrency cannot see; the module uses the Swift 5
// language mode. No target sets compiler flags: tools/test.sh
// runs the tests optimized with `swift test -c release` instead.
let trainingSettings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
  name: "DigitInfer",
  products: [
    .library(name: "DigitInfer", targets: ["DigitInfer"]),
    .library(name: "DigitInferFormat", targets: ["DigitInferFormat"]),
    .executable(name: "export-model", targets: ["export-model"]),
    .executable(name: "digitinfer-cli", targets: ["digitinfer-cli"]),
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
    // libjpeg(-turbo) and libpng, for DigitInferImage. Only CImageShim calls
    // them: both report errors by longjmp, which must not cross Swift frames.
    .systemLibrary(
      name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
      providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
    .systemLibrary(
      name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16",
      providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
    .target(name: "CImageShim", dependencies: ["CJPEG", "CPNG"]),

    // The runtime. Depends on nothing but the Swift language and its own
    // headers (the C API, the microkernels); the same sources are built as
    // Embedded Swift by tools/install.sh, tools/embedded and tools/web.
    .target(name: "DigitInfer", dependencies: ["CDigitInfer", "DigitInferKernels"], swiftSettings: runtimeSettings),
    // Its microkernels (x86-64 AVX2/VNNI, AArch64 sdot, Cortex-M DSP) and the
    // CPU feature queries: a header-only clang module that the Swift
    // compiler builds into DigitInfer (each function carries its own
    // __attribute__((target)); see Sources/DigitInferKernels/kernels.h).
    .systemLibrary(name: "DigitInferKernels", path: "Sources/DigitInferKernels"),

    // What every tool shares and no layer owns: atomic file writes and the
    // seeded random generator (SplitMix64) that golden files depend on.
    .target(name: "DigitInferSupport"),

    // Writes .dgi files (the exporter, the tests).
    .target(name: "DigitInferFormat", dependencies: ["CZlib", "DigitInferSupport"]),

    // MNIST and other IDX digit sets: reading (gzip via zlib), augmentation.
    .target(name: "DigitInferData", dependencies: ["CZlib", "DigitInferSupport"]),

    // Model cards, training curves and progress output of the tools.
    .target(name: "DigitInferReport", dependencies: ["DigitInferSupport"]),

    // JPEG, PNG and PBM/PGM/PPM to 8-bit luminance; PNG and JPEG writers.
    .target(name: "DigitInferImage", dependencies: ["CImageShim"]),

    // Float training in Swift and post-training int8 quantization.
    .target(
      name: "DigitInferTraining",
      dependencies: ["DigitInfer", "DigitInferFormat", "DigitInferData", "DigitInferReport", "DigitInferSupport"],
      swiftSettings: trainingSettings),

    .executableTarget(
      name: "export-model",
      dependencies: [
        "DigitInferTraining", "DigitInferData", "DigitInferReport", "DigitInferFormat", "DigitInferSupport",
        "DigitInferImage", "DigitInfer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),


    // Draws the sample digit images in models/samples.
    .executableTarget(
      name: "make-samples",
      dependencies: [
        "DigitInferImage", "DigitInferSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "tools/samples"),

    // Draws whole numbers from MNIST test digits, to measure `digitinfer-cli read`.
    .executableTarget(
      name: "make-numbers",
      dependencies: [
        "DigitInferData", "DigitInferImage", "DigitInferSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "tools/numbers",
      exclude: ["measure.sh", "score.py"]),

    // models/mnist-int8.dgi compiled into digitinfer-cli (C23 #embed, or
    // .incbin through the models directory on the include path).
    .target(name: "DigitInferBuiltinModel", cSettings: [.headerSearchPath("../../models")]),

    // The command-line tool: classify images, eval, inspect, bench.
    .executableTarget(
      name: "digitinfer-cli",
      dependencies: [
        "DigitInfer", "DigitInferBuiltinModel", "DigitInferImage", "DigitInferData", "DigitInferReport",
        "DigitInferSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "DigitInferDataTests", dependencies: ["DigitInferData", "DigitInferSupport", "CZlib"]),
    .testTarget(
      name: "DigitInferCLITests",
      dependencies: [
        "digitinfer-cli", "export-model", "DigitInfer", "DigitInferBuiltinModel", "DigitInferImage", "DigitInferFormat",
      ]),
    // AtomicFileTests share the report tests' fixtures (temporary directories).
    .testTarget(name: "DigitInferReportTests", dependencies: ["DigitInferReport", "DigitInferSupport"]),
    .testTarget(name: "MakeNumbersTests", dependencies: ["make-numbers", "DigitInferData", "DigitInferImage"]),
    .testTarget(name: "DigitInferImageTests", dependencies: ["DigitInferImage", "DigitInferSupport", "CZlib"]),
    .testTarget(
      name: "DigitInferTrainingTests",
      dependencies: [
        "DigitInferTraining", "DigitInferData", "DigitInferFormat", "DigitInferReport", "DigitInferSupport", "DigitInfer",
      ]),
    .testTarget(
      name: "DigitInferTests",
      dependencies: ["DigitInfer", "DigitInferFormat", "DigitInferSupport", "CZlib"],
      resources: [.copy("Golden")]),
  ]
)
