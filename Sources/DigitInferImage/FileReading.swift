#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads with one specific message per way of failing.
public enum FileReading {
  static func contents(of path: String, limit: Int) throws(ImageError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ImageError(openFailure(errno)) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw ImageError("cannot stat: \(errnoText())") }
    let type = info.st_mode & S_IFMT
    if type == S_IFDIR { throw ImageError("is a directory, not an image file") }

    if type == S_IFREG {
      let size = Int(info.st_size)
      guard size > 0 else { throw ImageError("empty file") }
      guard size <= limit else { throw tooLarge(size, limit) }
      let bytes = try readUpTo(fd, size + 1)
      // A file that changes while being read is not one image.
      guard bytes.count == size else {
        throw ImageError("file changed size while being read (\(bytes.count) of \(size) bytes)")
      }
      return bytes
    }
    // Pipes and devices (/dev/stdin) have no size up front: read to the end,
    // stopping one byte past the limit.
    let bytes = try readUpTo(fd, limit + 1)
    guard !bytes.isEmpty else { throw ImageError("empty input") }
    guard bytes.count <= limit else { throw tooLarge(nil, limit) }
    return bytes
  }

  /// Why open(2) failed with `code`, in the words every reader of files
  /// (this one, digitinfer-cli's) uses.
  public static func openFailure(_ code: Int32) -> String {
    switch code {
    case ENOENT: "no such file"
    case EACCES: "permission denied"
    case ENOTDIR: "no such file (a parent is not a directory)"
    // A path over PATH_MAX or a component over NAME_MAX: the file may well exist.
    case ENAMETOOLONG: "file name too long"
    default: "cannot open: \(String(cString: strerror(code)))"
    }
  }

  private static func tooLarge(_ size: Int?, _ limit: Int) -> ImageError {
    ImageError("file too large: \(size.map { "\($0) bytes" } ?? "more than the limit") (limit \(limit >> 20) MiB)")
  }

  /// Reads until end of file or `count` bytes.
  private static func readUpTo(_ fd: Int32, _ count: Int) throws(ImageError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
    while bytes.count < count {
      let want = min(chunk.count, count - bytes.count)
      let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
      if got < 0 {
        if errno == EINTR { continue }
        // EISDIR cannot happen after the fstat check; EIO and friends can.
        throw ImageError("cannot read: \(errnoText())")
      }
      if got == 0 { break }
      bytes.append(contentsOf: chunk[..<got])
    }
    return bytes
  }

  private static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}
