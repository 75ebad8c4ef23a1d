/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the same as
/// zlib's crc32(). Four bits at a time from a 16-entry table: a 64-byte
/// table keeps the code small for microcontrollers, and open-time hashing
/// of a 50 KB model still costs well under a millisecond.
struct CRC32 {
  private(set) var value: UInt32 = 0xFFFF_FFFF

  @inline(__always) private static func nibble(_ i: UInt32) -> UInt32 {
    // Entries of the reflected nibble table; a switch avoids a global array,
    // which Embedded Swift would otherwise have to materialise.
    switch i & 15 {
    case 0: 0x0000_0000
    case 1: 0x1DB7_1064
    case 2: 0x3B6E_20C8
    case 3: 0x26D9_30AC
    case 4: 0x76DC_4190
    case 5: 0x6B6B_51F4
    case 6: 0x4DB2_6158
    case 7: 0x5005_713C
    case 8: 0xEDB8_8320
    case 9: 0xF00F_9344
    case 10: 0xD6D6_A3E8
    case 11: 0xCB61_B38C
    case 12: 0x9B64_C2B0
    case 13: 0x86D3_D2D4
    case 14: 0xA00A_E278
    default: 0xBDBD_F21C
    }
  }

  mutating func update(_ bytes: UnsafeRawPointer, _ count: Int) {
    var c = value
    for i in 0..<count {
      c ^= UInt32(bytes.u8(i))
      c = (c >> 4) ^ CRC32.nibble(c)
      c = (c >> 4) ^ CRC32.nibble(c)
    }
    value = c
  }

  var final: UInt32 { value ^ 0xFFFF_FFFF }
}
