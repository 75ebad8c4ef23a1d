/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the same as
/// zlib's crc32(), of two byte ranges in sequence (a file minus its CRC
/// field). The byte-wise table is built on the stack for each call (256
/// entries, about two microseconds) rather than kept as a global: that keeps
/// 1 KiB out of a microcontroller's flash and needs no static initialiser
/// in Embedded Swift.
func crc32(
  _ first: UnsafeRawPointer, _ firstCount: Int, _ second: UnsafeRawPointer, _ secondCount: Int
) -> UInt32 {
  withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256) { table in
    for i in 0..<256 {
      var c = UInt32(i)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      table[i] = c
    }
    func update(_ crc: UInt32, _ bytes: UnsafeRawPointer, _ count: Int) -> UInt32 {
      var c = crc
      let b = bytes.assumingMemoryBound(to: UInt8.self)
      for i in 0..<count { c = table[Int(UInt8(truncatingIfNeeded: c) ^ b[i])] ^ (c >> 8) }
      return c
    }
    return update(update(0xFFFF_FFFF, first, firstCount), second, secondCount) ^ 0xFFFF_FFFF
  }
}
