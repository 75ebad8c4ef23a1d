#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Readers of a path see the old file or the new, never a part: the bytes
/// go to a temporary file in the same directory, which is then renamed.
enum AtomicWrite {
  static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
    let temp = "\(path).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw DataError(path: path, reason: "cannot create \(temp): \(errnoText())") }
    var done = 0
    var failure: String?
    bytes.withUnsafeBytes { b in
      while done < b.count {
        let n = posixWrite(fd, b.baseAddress! + done, b.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          failure = "cannot write \(temp): \(errnoText())"
          return
        }
        done += n
      }
    }
    if close(fd) != 0, failure == nil { failure = "cannot close \(temp): \(errnoText())" }
    if failure == nil, rename(temp, path) != 0 { failure = "cannot rename \(temp) to it: \(errnoText())" }
    if let failure {
      unlink(temp)
      throw DataError(path: path, reason: failure)
    }
  }
}

// libc's write, under a name that AtomicWrite.write does not shadow.
@inline(__always) private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
  write(fd, p, n)
}
