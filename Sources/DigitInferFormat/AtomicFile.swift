import Foundation

/// Writing files so that readers see the old content or the new, never a
/// part: each file goes to a temporary beside it (same directory, so the
/// same file system and an atomic rename), and only when every temporary of
/// a group is complete are they renamed into place. A failure before the
/// renames leaves the previous files untouched and no temporaries behind.
/// The one project-wide implementation: models, IDX files, model cards.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible, Sendable {
    public let description: String
  }

  public static func write(_ data: Data, to path: String) throws(WriteError) {
    try write([(path, data)])
  }

  public static func write(_ files: [(path: String, data: Data)]) throws(WriteError) {
    var temporaries: [String] = []
    var renamed = 0
    do {
      for file in files {
        let url = URL(fileURLWithPath: file.path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(
          ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        ).path
        do {
          try file.data.write(to: URL(fileURLWithPath: temp), options: [.withoutOverwriting])
        } catch {
          unlink(temp)  // a partial temporary may exist even though the write threw
          throw WriteError(description: "cannot write \(file.path): \(error.localizedDescription)")
        }
        temporaries.append(temp)
      }
      for (temp, file) in zip(temporaries, files) {
        if rename(temp, file.path) != 0 {
          throw WriteError(description: "cannot rename \(temp) to \(file.path): \(String(cString: strerror(errno)))")
        }
        renamed += 1
      }
    } catch let error as WriteError {
      for temp in temporaries[renamed...] { unlink(temp) }
      throw error
    } catch {
      for temp in temporaries[renamed...] { unlink(temp) }
      throw WriteError(description: "\(error)")
    }
  }
}
