import Foundation

/// Runs `body` with the path of a new, empty directory under the system's
/// temporary directory (`prefix-UUID`), and removes the directory with all
/// in it afterwards, also when `body` throws. For tests and tools that need
/// scratch files.
///
/// - Throws: The directory's creation error, or what `body` throws.
public func withTemporaryDirectory<T>(prefix: String = "digitinfer", _ body: (String) throws -> T) throws -> T {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try body(path)
}
