#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The content of a file, decompressed if it is gzip (recognised by its
/// magic bytes, not its name), read front to back.
final class FileBytes {
  let path: String
  /// The uncompressed size when it is known without reading (plain files),
  /// so that a wrong declared size is caught before allocating.
  let size: Int?
  private let fd: Int32
  private let inflater: GzipInflater?

  /// `limit` bounds what is read into memory up front (a whole .gz file).
  static func open(_ path: String, limit: Int) throws(DataError) -> FileBytes {
    let fd = posixOpen(path)
    guard fd >= 0 else { throw DataError(path: path, reason: "cannot open: \(errnoText())") }
    var keep = false
    defer { if !keep { close(fd) } }

    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DataError(path: path, reason: "cannot stat: \(errnoText())") }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw DataError(path: path, reason: "not a regular file")
    }
    let size = Int(info.st_size)
    guard size > 0 else { throw DataError(path: path, reason: "empty file") }

    var magic: (UInt8, UInt8) = (0, 0)
    let got = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
    guard got >= 0 else { throw DataError(path: path, reason: "cannot read: \(errnoText())") }
    guard got == 2, Gzip.isGzip(magic.0, magic.1) else {
      keep = true
      return FileBytes(path: path, size: size, fd: fd, inflater: nil)
    }

    guard size <= limit else {
      throw DataError(path: path, reason: "\(size) bytes of gzip exceed the \(limit >> 20) MiB limit")
    }
    let input = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    let n: Int
    do { n = try readAll(fd, into: input, path: path) } catch {
      input.deallocate()
      throw error
    }
    guard n == size else {
      input.deallocate()
      throw DataError(path: path, reason: "file shrank while being read (\(n) of \(size) bytes)")
    }
    return FileBytes(path: path, size: nil, fd: -1, inflater: try GzipInflater.make(path: path, input: input))
  }

  private init(path: String, size: Int?, fd: Int32, inflater: GzipInflater?) {
    self.path = path
    self.size = size
    self.fd = fd
    self.inflater = inflater
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  /// Fills `buffer` unless the content ends first; returns the bytes read.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
    if let inflater { return try inflater.read(into: buffer) }
    return try FileBytes.readAll(fd, into: buffer, path: path)
  }

  func read(_ count: Int) throws(DataError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { buffer.deallocate() }
    let n = try read(into: buffer)
    return Array(buffer[..<n])
  }

  /// True if nothing follows. For gzip this also runs zlib to the end of
  /// the stream, which is where the CRC-32 and length are checked.
  func isAtEnd() throws(DataError) -> Bool {
    let byte = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    defer { byte.deallocate() }
    return try read(into: byte) == 0
  }

  private static func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(DataError) -> Int {
    var done = 0
    while done < buffer.count {
      let n = posixRead(fd, buffer.baseAddress! + done, buffer.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        throw DataError(path: path, reason: "cannot read: \(errnoText())")
      }
      if n == 0 { break }
      done += n
    }
    return done
  }
}

func errnoText() -> String { String(cString: strerror(errno)) }

// libc's open and read, under names that FileBytes.open and .read do not shadow.
@inline(__always) private func posixOpen(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
@inline(__always) private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
