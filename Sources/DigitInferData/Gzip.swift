import CZlib

/// Streaming gzip decompression of an in-memory buffer, so that the IDX
/// reader can inflate the header first, check the declared size, and only
/// then allocate and inflate the payload straight into its final array.
final class GzipInflater {
  let path: String
  private let input: UnsafeMutableRawBufferPointer
  // zlib keeps a pointer back to its z_stream and rejects calls on a moved
  // copy, so the stream lives at a fixed heap address.
  private let stream: UnsafeMutablePointer<z_stream>
  private var finished = false

  /// Takes ownership of `input` (freed on deinit, or on failure here).
  static func make(path: String, input: UnsafeMutableRawBufferPointer) throws(DataError) -> GzipInflater {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = uInt(input.count)
    // 15 + 16: the largest window, gzip wrapper only (header, CRC-32 and
    // length are checked by zlib).
    let ret = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard ret == Z_OK else {
      stream.deallocate()
      input.deallocate()
      throw DataError(path: path, reason: "zlib cannot start inflating (error \(ret))")
    }
    return GzipInflater(path: path, input: input, stream: stream)
  }

  private init(path: String, input: UnsafeMutableRawBufferPointer, stream: UnsafeMutablePointer<z_stream>) {
    self.path = path
    self.input = input
    self.stream = stream
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
    input.deallocate()
  }

  /// Fills `buffer` unless the stream ends first; returns the bytes written.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
    var produced = 0
    while produced < buffer.count && !finished {
      let chunk = min(buffer.count - produced, Int(UInt32.max))
      stream.pointee.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(chunk)
      let ret = inflate(stream, Z_NO_FLUSH)
      produced += chunk - Int(stream.pointee.avail_out)
      switch ret {
      case Z_OK:
        continue
      case Z_STREAM_END:
        let left = Int(stream.pointee.avail_in)
        if left == 0 {
          finished = true
        } else if left >= 2, stream.pointee.next_in[0] == 0x1f, stream.pointee.next_in[1] == 0x8b {
          // Concatenated members (`cat a.gz b.gz`) are one valid gzip file.
          inflateReset(stream)
        } else {
          throw DataError(path: path, reason: "\(left) bytes of garbage after the end of the gzip stream")
        }
      case Z_BUF_ERROR:
        // Output space remains, so zlib stopped for want of input.
        throw DataError(path: path, reason: "gzip stream is truncated (ends before its trailer)")
      case Z_DATA_ERROR, Z_NEED_DICT:
        throw DataError(path: path, reason: "corrupt gzip stream (\(message ?? "invalid data"))")
      case Z_MEM_ERROR:
        throw DataError(path: path, reason: "out of memory while inflating")
      default:
        throw DataError(path: path, reason: "zlib inflate failed (error \(ret)\(message.map { ": " + $0 } ?? ""))")
      }
    }
    return produced
  }

  private var message: String? {
    stream.pointee.msg.map { String(cString: $0) }
  }
}

enum Gzip {
  static func isGzip(_ first: UInt8, _ second: UInt8) -> Bool { first == 0x1f && second == 0x8b }

  /// One gzip member holding `bytes` (zlib's default level).
  static func compress(_ bytes: [UInt8], path: String) throws(DataError) -> [UInt8] {
    guard bytes.count < Int(UInt32.max) else {
      throw DataError(path: path, reason: "\(bytes.count) bytes are too many to gzip in one call")
    }
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    let ret = deflateInit2_(
      stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
      zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard ret == Z_OK else {
      throw DataError(path: path, reason: "zlib cannot start deflating (error \(ret))")
    }
    defer { deflateEnd(stream) }
    let bound = Int(deflateBound(stream, uLong(bytes.count)))
    var status: Int32 = Z_OK
    let output = [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
      bytes.withUnsafeBufferPointer { src in
        // Without ZLIB_CONST, next_in is declared mutable; deflate only reads it.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
        stream.pointee.avail_in = uInt(src.count)
        stream.pointee.next_out = out.baseAddress
        stream.pointee.avail_out = uInt(bound)
        // deflateBound guarantees room for the whole stream in one call.
        status = deflate(stream, Z_FINISH)
        initialized = bound - Int(stream.pointee.avail_out)
      }
    }
    guard status == Z_STREAM_END else {
      throw DataError(path: path, reason: "zlib deflate failed (error \(status))")
    }
    return output
  }
}
