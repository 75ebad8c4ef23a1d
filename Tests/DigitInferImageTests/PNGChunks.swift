import CZlib

/// PNG chunk surgery for the hostile-input tests, written against the PNG
/// specification rather than through libpng.
struct PNGChunk {
  var type: String
  var data: [UInt8]
  /// Byte offset of the chunk's length field in the file.
  var offset: Int

  static func crc(type: String, data: [UInt8]) -> UInt32 {
    let bytes = Array(type.utf8) + data
    return UInt32(bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
  }

  /// The chunk's bytes with a correct CRC.
  static func bytes(type: String, data: [UInt8]) -> [UInt8] {
    bigEndian(UInt32(data.count)) + Array(type.utf8) + data + bigEndian(crc(type: type, data: data))
  }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
  [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

func chunks(_ png: [UInt8]) -> [PNGChunk] {
  var result: [PNGChunk] = []
  var at = 8
  while at + 12 <= png.count {
    let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
    let type = String(decoding: png[at + 4..<at + 8], as: UTF8.self)
    result.append(PNGChunk(type: type, data: Array(png[at + 8..<at + 8 + length]), offset: at))
    at += 12 + length
  }
  return result
}

/// `png` with `chunk` inserted before the first chunk of type `before`.
func inserting(_ chunk: [UInt8], before type: String, in png: [UInt8]) -> [UInt8] {
  let at = chunks(png).first { $0.type == type }!.offset
  return Array(png[..<at]) + chunk + Array(png[at...])
}

/// A zlib stream of `rows` rows of `rowBytes` zero bytes, compressed a row
/// at a time (run-length matches), so that a PNG bomb of any size costs
/// only its compressed size in memory to make.
func zlibZeros(rows: Int, rowBytes: Int) -> [UInt8] {
  var stream = z_stream()
  precondition(deflateInit2_(&stream, 9, Z_DEFLATED, 15, 9, Z_RLE, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
  defer { deflateEnd(&stream) }
  let row = [UInt8](repeating: 0, count: rowBytes)
  var output: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 1 << 16)
  for index in 0..<rows {
    row.withUnsafeBufferPointer { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = UInt32(input.count)
      let flush = index == rows - 1 ? Z_FINISH : Z_NO_FLUSH
      repeat {
        buffer.withUnsafeMutableBufferPointer { out in
          stream.next_out = out.baseAddress
          stream.avail_out = UInt32(out.count)
          _ = deflate(&stream, flush)
          output += out[..<(out.count - Int(stream.avail_out))]
        }
      } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
    }
  }
  return output
}
