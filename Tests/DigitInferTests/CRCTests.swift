import CDigitInfer
import CZlib
import DigitInferFormat
import DigitInferSupport
import Foundation
import Testing

@testable import DigitInfer

#if arch(x86_64)
import DigitInferKernels
#endif

/// Every CRC-32 implementation in the runtime against zlib's: the byte-wise
/// table (Arm, wasm, Cortex-M) and, where this CPU has them, the pclmulqdq
/// folds of Sources/DigitInferKernels/x86_crc32.h.
@Suite struct CRCTests {
  typealias CRC = (UnsafeRawPointer, Int, UnsafeRawPointer, Int) -> UInt32

  /// The paths this CPU runs, by name; `crc32` itself picks one of them.
  static var paths: [(String, CRC)] {
    var paths: [(String, CRC)] = [("dispatch", crc32), ("bytewise", crc32Bytewise)]
    #if arch(x86_64)
    let cpu = dgi_x86_features()
    if cpu & DGI_X86_PCLMUL != 0 {
      paths.append(("pclmul", { dgi_crc32_pclmul(dgi_crc32_pclmul(0, $0, $1), $2, $3) }))
    }
    #endif
    return paths
  }

  static func zlib(_ p: UnsafeRawPointer, _ n: Int) -> UInt32 {
    UInt32(CZlib.crc32(0, p.assumingMemoryBound(to: UInt8.self), uInt(n)))
  }

  /// Every length 0...300 (the short-input code, each tail length after
  /// every number of whole blocks) and sizes around the 64-byte
  /// rounds, at every misalignment, whole and split as the reader splits a
  /// file: the 16 bytes before the CRC field, then the rest. Another split
  /// point checks that the first range's result carries into the second.
  @Test(arguments: 0..<16) func pathsMatchZlib(misalignment: Int) {
    var rng = SplitMix64(seed: 11 + UInt64(misalignment))
    let lengths = Array(0...300) + [319, 320, 511, 512, 513, 1023, 4096 + 15, 63_834, 65_536 + 77]
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65_536 + 77 + 16, alignment: 64)
    defer { buffer.deallocate() }
    let p = buffer + misalignment
    for length in lengths {
      for i in 0..<length { p.storeBytes(of: UInt8.random(in: 0...255, using: &rng), toByteOffset: i, as: UInt8.self) }
      let expected = Self.zlib(p, length)
      for (name, crc) in Self.paths {
        for split in Set([0, min(16, length), length / 3, length]) {
          let got = crc(p, split, p + split, length - split)
          #expect(got == expected, "\(name): length \(length), split \(split), misalignment \(misalignment)")
        }
      }
    }
  }

  @Test func checkValue() {
    let text = Array("123456789".utf8)
    for (name, crc) in Self.paths {
      let got = text.withUnsafeBytes { crc($0.baseAddress!, 4, $0.baseAddress! + 4, 5) }
      #expect(got == 0xCBF4_3926, "\(name)")
    }
  }

  /// The shipped model (64 KB: the four-block rounds, then the tail) with one
  /// bit flipped in each byte from the CRC field on, cycling through the
  /// eight bits, and the sixteen misalignments in turn, in place. Nothing
  /// after the size fields is read before the CRC, so each flip must be
  /// exactly a checksum error. HostileInputTests flips every bit of a small
  /// synthetic model and accepts any error status.
  @Test func everyByteOfTheShippedModelIsCovered() throws {
    let url = testsDirectory.appending(path: "../../models/mnist-int8.dgi")
    let file = [UInt8](try Data(contentsOf: url))
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: file.count + 16, alignment: 64)
    defer { buffer.deallocate() }
    var record = dgi_model()
    for misalignment in 0..<16 {
      let p = buffer + misalignment
      file.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: file.count) }
      #expect(dgi_model_open(&record, p, file.count) == DGI_OK, "misalignment \(misalignment)")
      for byte in stride(from: FileLayout.hCRC + misalignment, to: file.count, by: 16) {
        let mask = UInt8(1) << ((byte / 16) % 8)
        let original = p.load(fromByteOffset: byte, as: UInt8.self)
        p.storeBytes(of: original ^ mask, toByteOffset: byte, as: UInt8.self)
        let status = dgi_model_open(&record, p, file.count)
        p.storeBytes(of: original, toByteOffset: byte, as: UInt8.self)
        #expect(status == DGI_ERROR_CHECKSUM, "byte \(byte) mask \(mask) misalignment \(misalignment)")
      }
    }
  }

  #if arch(x86_64)
  /// The folding constants of x86_crc32.h are what its comment says they
  /// are: x^k mod P, bit-reflected, and floor(x^64 / P) and P reflected.
  @Test func foldingConstantsArePowersOfX() {
    func xPowerModP(_ k: Int) -> UInt32 {
      var r: UInt64 = 1
      for _ in 0..<k {
        r <<= 1
        if r & (1 << 32) != 0 { r ^= 0x1_04C1_1DB7 }
      }
      return UInt32(r).bitReversed
    }
    let constants: [(Int, UInt32)] = [
      (63, DGI_CRC_X63), (95, DGI_CRC_X95), (159, DGI_CRC_X159), (479, DGI_CRC_X479), (543, DGI_CRC_X543),
    ]
    for (k, constant) in constants { #expect(xPowerModP(k) == constant, "x^\(k)") }
    // floor(x^64 / P) by long division; 33-bit values reflected, shifted to the top.
    var remainder: UInt128 = 1 << 64, quotient: UInt64 = 0
    for shift in stride(from: 32, through: 0, by: -1) where remainder >> (32 + shift) & 1 != 0 {
      remainder ^= UInt128(0x1_04C1_1DB7) << shift
      quotient |= 1 << shift
    }
    #expect(quotient == 0x1_04D1_01DF)
    #expect(reflect33(quotient) << 31 == DGI_CRC_MU)
    #expect(reflect33(0x1_04C1_1DB7) << 31 == DGI_CRC_P)
  }
  #endif
}

/// A polynomial of degree 32 (33 bits), bit-reflected.
private func reflect33(_ v: UInt64) -> UInt64 { v.bitReversed >> 31 }

extension FixedWidthInteger {
  fileprivate var bitReversed: Self {
    var v = self, r: Self = 0
    for _ in 0..<Self.bitWidth {
      r = r << 1 | (v & 1)
      v >>= 1
    }
    return r
  }
}
