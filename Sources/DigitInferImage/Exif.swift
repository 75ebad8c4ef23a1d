/// The one Exif field the decoder needs: the orientation tag in IFD0.
///
/// Exif blocks are written by countless cameras and editors, and damaged
/// ones are common; the pixels do not depend on them. So a block that does
/// not parse (bad byte order mark, offsets out of bounds, a wrong type) is
/// ignored and the image is shown as stored, rather than failing a good
/// picture. Every read is bounds-checked against the block.
enum Exif {
  static let orientationTag: UInt16 = 0x0112

  /// `block` is an APP1 payload starting "Exif\0\0".
  static func orientation(_ block: UnsafeBufferPointer<UInt8>) -> Orientation? {
    let header: [UInt8] = Array("Exif".utf8) + [0, 0]
    guard block.count >= 6 + 8, Array(block[0..<6]) == header else { return nil }
    let tiff = UnsafeBufferPointer(rebasing: block[6...])
    let bigEndian: Bool
    switch (tiff[0], tiff[1]) {
    case (0x49, 0x49): bigEndian = false
    case (0x4D, 0x4D): bigEndian = true
    default: return nil
    }
    func u16(_ at: Int) -> Int? {
      guard at >= 0, at <= tiff.count - 2 else { return nil }
      return bigEndian ? Int(tiff[at]) << 8 | Int(tiff[at + 1]) : Int(tiff[at + 1]) << 8 | Int(tiff[at])
    }
    func u32(_ at: Int) -> Int? {
      guard let high = u16(bigEndian ? at : at + 2), let low = u16(bigEndian ? at + 2 : at) else { return nil }
      return high << 16 | low
    }
    guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
    // An IFD that claims more entries than the block holds is cut off or
    // garbage; even a readable first entry is not trusted then.
    guard ifd + 2 + 12 * count <= tiff.count else { return nil }
    for entry in 0..<count {
      let at = ifd + 2 + 12 * entry
      guard let tag = u16(at) else { return nil }
      guard tag == Int(orientationTag) else { continue }
      // SHORT, one value, stored in the first two bytes of the value field.
      guard u16(at + 2) == 3, u32(at + 4) == 1, let value = u16(at + 8) else { return nil }
      return Orientation(rawValue: value)
    }
    return nil
  }

  /// An APP1 payload holding only the orientation, big-endian as most
  /// cameras write it.
  static func block(orientation: Orientation) -> [UInt8] {
    Array("Exif".utf8) + [0, 0]
      + [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08]  // "MM", 42, IFD0 at offset 8
      + [0x00, 0x01]  // one entry
      + [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, UInt8(orientation.rawValue), 0x00, 0x00]
      + [0x00, 0x00, 0x00, 0x00]  // no next IFD
  }
}
