#if arch(x86_64) && !DIGITINFER_SMALL
import DigitInferKernels
#endif

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the same as
/// zlib's crc32(), of two byte ranges in sequence (a file minus its CRC
/// field). On x86-64 it folds with carry-less multiplication
/// (Sources/DigitInferKernels/x86_crc32.h): 64 KB in about 3 us, where the
/// byte-wise table takes about 170.
func crc32(
  _ first: UnsafeRawPointer, _ firstCount: Int, _ second: UnsafeRawPointer, _ secondCount: Int
) -> UInt32 {
  #if arch(x86_64) && !DIGITINFER_SMALL
  let cpu = dgi_x86_features()  // cached: no cpuid after the first call
  if cpu & DGI_X86_PCLMUL != 0 {
    return dgi_crc32_pclmul(dgi_crc32_pclmul(0, first, firstCount), second, secondCount)
  }
  #endif
  return crc32Bytewise(first, firstCount, second, secondCount)
}

/// The portable path (Arm, WebAssembly, Cortex-M, RISC-V, x86-64 without
/// pclmulqdq and SSE4.1): two lookups per byte in a 16-entry table, one per
/// nibble. The table is built on the stack for each call (64 bytes, a few
/// hundred instructions) rather than kept as a global: no static
/// initialiser in Embedded Swift, nothing in a microcontroller's flash, and
/// 64 bytes of stack where a 256-entry table took 1 KiB, the most of any
/// entry point on Cortex-M (dgi_model_open: 1,440 bytes with it). It costs
/// about 1.5 times the byte-wise table's instructions, once per open.
func crc32Bytewise(
  _ first: UnsafeRawPointer, _ firstCount: Int, _ second: UnsafeRawPointer, _ secondCount: Int
) -> UInt32 {
  withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { table in
    for i in 0..<16 {
      var c = UInt32(i)
      for _ in 0..<4 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      table[i] = c
    }
    func update(_ crc: UInt32, _ bytes: UnsafeRawPointer, _ count: Int) -> UInt32 {
      var c = crc
      let b = bytes.assumingMemoryBound(to: UInt8.self)
      for i in 0..<count {
        c ^= UInt32(b[i])
        c = table[Int(c & 15)] ^ (c >> 4)
        c = table[Int(c & 15)] ^ (c >> 4)
      }
      return c
    }
    return update(update(0xFFFF_FFFF, first, firstCount), second, secondCount) ^ 0xFFFF_FFFF
  }
}
