import Foundation

/// Writing files so that readers see the old content or the new, never a
/// part: write a temporary file in the same directory, then rename it.
public enum AtomicFile {
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
      try data.write(to: temp, options: [])
      if rename(temp.path, url.path) != 0 {
        throw FormatError("cannot rename \(temp.path) to \(path): \(String(cString: strerror(errno)))")
      }
    } catch {
      try? FileManager.default.removeItem(at: temp)
      throw error
    }
  }
}
