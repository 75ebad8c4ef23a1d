#if (arch(x86_64) || arch(arm64) || arch(arm)) && !DIGITINFER_SMALL
import DigitInferKernels
#endif

/// The kernel sets, one per `dgi_kernels` value. Every set computes the same
/// integers (the tests run each one the CPU has against the reference);
/// they differ in speed, code size and the instructions they need.
enum KernelSet: UInt32 {
  /// The plain definitions (ReferenceKernels.swift): any CPU, least code.
  case reference = 1
  /// Swift SIMD kernels (OptimizedKernels.swift): SSE2 on x86-64, the
  /// portable SIMD types on Arm and WebAssembly.
  case baseline = 2
  /// x86-64 microkernels (Sources/DigitInferKernels): 256-bit AVX2.
  case avx2 = 3
  /// x86-64 microkernels: 512-bit `vpdpbusd` (AVX-512 VNNI).
  case avx512vnni = 4
  /// x86-64 microkernels: 256-bit `vpdpbusd` (AVX-VNNI, without AVX-512).
  case avxvnni = 5
  /// AArch64 microkernels: `sdot` (the dot-product extension, Armv8.2).
  case neondot = 6
  /// Cortex-M microkernels: `smlad` (the DSP extension: M4, M7, M33).
  case dsp = 7

  var name: StaticString {
    switch self {
    case .reference: "reference"
    case .baseline:
      #if arch(x86_64) && !DIGITINFER_PORTABLE
      "sse2"
      #else
      "portable"
      #endif
    case .avx2: "avx2"
    case .avx512vnni: "avx512vnni"
    case .avxvnni: "avxvnni"
    case .neondot: "neondot"
    case .dsp: "dsp"
    }
  }

  /// Whether the set runs the C microkernels (MicrokernelEngine.swift).
  var usesMicrokernels: Bool { self != .reference && self != .baseline }

  /// The sets this library was built with and this CPU runs, one bit
  /// (1 << rawValue) each. The CPU is asked once per process (kernels.h).
  static var supported: UInt32 {
    var bits = UInt32(1) << KernelSet.reference.rawValue
    #if !DIGITINFER_SMALL
    if !baselineSuperseded { bits |= 1 << KernelSet.baseline.rawValue }
    #endif
    #if arch(x86_64) && !DIGITINFER_SMALL
    let cpu = dgi_x86_features()
    if cpu & DGI_X86_AVX2 != 0 { bits |= 1 << KernelSet.avx2.rawValue }
    if cpu & DGI_X86_AVX512VNNI != 0 { bits |= 1 << KernelSet.avx512vnni.rawValue }
    if cpu & DGI_X86_AVXVNNI != 0 { bits |= 1 << KernelSet.avxvnni.rawValue }
    #endif
    #if arch(arm64) && !DIGITINFER_SMALL
    if dgi_arm_features() & DGI_ARM_DOTPROD != 0 { bits |= 1 << KernelSet.neondot.rawValue }
    #endif
    #if arch(arm) && !DIGITINFER_SMALL
    if Microkernels.available { bits |= 1 << KernelSet.dsp.rawValue }
    #endif
    return bits
  }

  /// Whether this build leaves the baseline set out because a faster set
  /// always replaces it: Cortex-M builds with the DSP extension (a constant
  /// of the build, which LLVM folds, so that the Swift SIMD kernels and
  /// their workspace drop out of M4/M7 firmware).
  static var baselineSuperseded: Bool {
    #if arch(arm) && !DIGITINFER_SMALL
    return Microkernels.available  // on 32-bit Arm, only the DSP set exists
    #else
    return false
    #endif
  }

  /// Every set, by raw value (no array: Embedded Swift builds allocate none).
  static let all: ClosedRange<UInt32> = 1...7

  /// The fastest supported set.
  static func best(_ supported: UInt32) -> KernelSet {
    func has(_ set: KernelSet) -> Bool { supported & (1 << set.rawValue) != 0 }
    if has(.avx512vnni) { return .avx512vnni }
    if has(.avxvnni) { return .avxvnni }
    if has(.neondot) { return .neondot }
    if has(.dsp) { return .dsp }
    if has(.avx2) { return .avx2 }
    if has(.baseline) { return .baseline }
    return .reference
  }

  /// The set a newly opened model uses: DIGITINFER_KERNELS when it names a
  /// supported set (x86-64 hosts only: "reference", "sse2", "avx2",
  /// "avxvnni", "avx512vnni"; "auto" or anything else means the best),
  /// else the best.
  static func initial() -> KernelSet {
    let supported = Self.supported
    #if arch(x86_64) && !DIGITINFER_SMALL
    if let value = dgi_env_kernels() {
      for raw in all where supported & (1 << raw) != 0 {
        if let set = KernelSet(rawValue: raw), matches(UnsafeRawPointer(value), set.name) { return set }
      }
    }
    #endif
    return best(supported)
  }

  /// Whether the NUL-terminated string at `c` equals `name`.
  static func matches(_ c: UnsafeRawPointer, _ name: StaticString) -> Bool {
    let n = name.utf8CodeUnitCount
    let p = name.utf8Start
    for i in 0..<n where c.load(fromByteOffset: i, as: UInt8.self) != p[i] { return false }
    return c.load(fromByteOffset: n, as: UInt8.self) == 0
  }
}
