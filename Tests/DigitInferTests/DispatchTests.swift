import CDigitInfer
import DigitInferFormat
import Foundation
import Testing

@testable import DigitInfer

/// Run-time kernel selection: what the CPU reports, what a model runs, and
/// forcing each set through the C API.
@Suite struct DispatchTests {
  let m = try! Model(try! SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 21).encoded())

  /// The CPU's own account (/proc/cpuinfo), independent of our cpuid code.
  static var cpuFlags: Set<Substring> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(line.split(separator: " "))
  }

  @Test func supportedSetsMatchTheCPU() {
    let bits = dgi_kernels_supported()
    #expect(bits & (1 << DGI_KERNELS_REFERENCE.rawValue) != 0)
    #expect(bits & (1 << DGI_KERNELS_BASELINE.rawValue) != 0)
    #expect(bits & 1 == 0, "DGI_KERNELS_AUTO is a request, not a set")
    #if arch(x86_64)
    let flags = Self.cpuFlags
    if !flags.isEmpty {
      let vnni = flags.contains("avx512_vnni") && flags.contains("avx512bw") && flags.contains("avx512vl")
      #expect((bits & (1 << DGI_KERNELS_AVX512VNNI.rawValue) != 0) == vnni)
      #expect((bits & (1 << DGI_KERNELS_AVXVNNI.rawValue) != 0) == flags.contains("avx_vnni"))
      #expect((bits & (1 << DGI_KERNELS_AVX2.rawValue) != 0) == flags.contains("avx2"))
    }
    #endif
  }

  @Test func aModelRunsTheBestSetUnlessForced() {
    guard ProcessInfo.processInfo.environment["DIGITINFER_KERNELS"] == nil else { return }
    let best = KernelSet.best(dgi_kernels_supported())
    #expect(dgi_model_kernels(m.record).rawValue == best.rawValue)
    #if arch(x86_64)
    let flags = Self.cpuFlags
    if flags.contains("avx512_vnni") {
      #expect(dgi_model_kernels(m.record) == DGI_KERNELS_AVX512VNNI)
    } else if flags.contains("avx_vnni") {
      #expect(dgi_model_kernels(m.record) == DGI_KERNELS_AVXVNNI)
    }
    #endif
  }

  @Test func everySupportedSetCanBeForcedAndAgrees() {
    let images = testImages(count: 6, seed: 21)
    let record = UnsafeMutablePointer<dgi_model>.allocate(capacity: 1)
    defer { record.deallocate() }
    record.initialize(to: m.record.pointee)  // a copy of an open record is open too
    var scratch = [UInt8](repeating: 0, count: dgi_model_scratch_size(record))
    #expect(dgi_model_set_kernels(record, DGI_KERNELS_REFERENCE) == DGI_OK)
    let expected = images.map { image -> [Int8] in
      var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
      #expect(dgi_infer(record, image, &scratch, scratch.count, &logits) == DGI_OK)
      return logits
    }
    for set in supportedKernelSets {
      let k = dgi_kernels(rawValue: set.rawValue)
      #expect(dgi_model_set_kernels(record, k) == DGI_OK)
      #expect(dgi_model_kernels(record) == k)
      #expect(dgi_model_scratch_size(record) == scratch.count, "one buffer serves every set")
      for (image, want) in zip(images, expected) {
        var logits = [Int8](repeating: 0, count: Int(DGI_MAX_CLASSES))
        #expect(dgi_infer(record, image, &scratch, scratch.count, &logits) == DGI_OK)
        #expect(logits == want, "\(set)")
      }
    }
    #expect(dgi_model_set_kernels(record, DGI_KERNELS_AUTO) == DGI_OK)
    #expect(dgi_model_kernels(record).rawValue == KernelSet.best(dgi_kernels_supported()).rawValue)
  }

  @Test func unsupportedAndInvalidRequestsAreRefused() {
    let record = UnsafeMutablePointer<dgi_model>.allocate(capacity: 1)
    defer { record.deallocate() }
    record.initialize(to: m.record.pointee)
    let before = dgi_model_kernels(record)
    for set in KernelSet.all.compactMap(KernelSet.init(rawValue:)) where dgi_kernels_supported() & (1 << set.rawValue) == 0 {
      #expect(dgi_model_set_kernels(record, dgi_kernels(rawValue: set.rawValue)) == DGI_ERROR_UNSUPPORTED)
      #expect(dgi_model_kernels(record) == before)
    }
    #expect(dgi_model_set_kernels(record, dgi_kernels(rawValue: 99)) == DGI_ERROR_ARGUMENT)
    #expect(dgi_model_set_kernels(nil, DGI_KERNELS_AUTO) == DGI_ERROR_ARGUMENT)
    #expect(dgi_model_kernels(nil) == DGI_KERNELS_AUTO)
    var closed = dgi_model()
    #expect(dgi_model_set_kernels(&closed, DGI_KERNELS_REFERENCE) == DGI_ERROR_NOT_OPEN)
    #expect(dgi_model_kernels(&closed) == DGI_KERNELS_AUTO)
  }

  @Test func namesAreTheEnvironmentSpellings() {
    #expect(String(cString: dgi_kernels_name(DGI_KERNELS_AUTO)) == "auto")
    #expect(String(cString: dgi_kernels_name(DGI_KERNELS_REFERENCE)) == "reference")
    #expect(String(cString: dgi_kernels_name(DGI_KERNELS_AVX2)) == "avx2")
    #expect(String(cString: dgi_kernels_name(DGI_KERNELS_AVX512VNNI)) == "avx512vnni")
    #expect(String(cString: dgi_kernels_name(DGI_KERNELS_AVXVNNI)) == "avxvnni")
    #expect(["sse2", "portable"].contains(String(cString: dgi_kernels_name(DGI_KERNELS_BASELINE))))
    #expect(String(cString: dgi_kernels_name(dgi_kernels(rawValue: 42))) == "unknown")
    for (text, want) in [("avx2", true), ("avx", false), ("avx22", false), ("", false), ("AVX2", false)] {
      #expect(text.withCString { KernelSet.matches(UnsafeRawPointer($0), "avx2") } == want, "\(text)")
    }
  }
}
