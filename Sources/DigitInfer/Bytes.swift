/// Little-endian reads from a byte buffer of any alignment. The file is
/// little-endian by definition; on little-endian hosts these compile to
/// plain unaligned loads.
extension UnsafeRawPointer {
  @inline(__always) func u8(_ offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }
  @inline(__always) func i8(_ offset: Int) -> Int8 { load(fromByteOffset: offset, as: Int8.self) }
  @inline(__always) func u16(_ offset: Int) -> UInt16 {
    UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }
  @inline(__always) func u32(_ offset: Int) -> UInt32 {
    UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }
  @inline(__always) func i32(_ offset: Int) -> Int32 {
    Int32(littleEndian: loadUnaligned(fromByteOffset: offset, as: Int32.self))
  }
}

@inline(__always) func align16(_ n: UInt64) -> UInt64 { (n &+ 15) & ~15 }
@inline(__always) func align8(_ n: UInt64) -> UInt64 { (n &+ 7) & ~7 }

/// Overflow-checked arithmetic for validation: nil means "does not fit",
/// which the reader reports as a malformed file.
@inline(__always) func mul(_ a: UInt64, _ b: UInt64) -> UInt64? {
  let (r, o) = a.multipliedReportingOverflow(by: b)
  return o ? nil : r
}
@inline(__always) func add(_ a: UInt64, _ b: UInt64) -> UInt64? {
  let (r, o) = a.addingReportingOverflow(b)
  return o ? nil : r
}
