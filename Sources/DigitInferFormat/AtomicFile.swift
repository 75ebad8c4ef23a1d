import Foundation

/// Writing files so that readers see the old content or the new, never a
/// part: each file goes to a temporary beside it (same directory, so the
/// same file system and an atomic rename), and only when every temporary of
/// a group is complete are they renamed into place. A failure before the
/// renames leaves the previous files untouched and no temporaries behind.
/// Only regular files are ever replaced: a rename would put a regular file
/// in place of a device node, a FIFO or a symbolic link (`--out /dev/null`
/// once replaced the node), so such a path is refused before anything is
/// written. The one project-wide implementation: models, IDX files, model
/// cards.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible, Sendable {
    public let description: String
  }

  public static func write(_ data: Data, to path: String) throws(WriteError) {
    try write([(path, data)])
  }

  /// Whether `paths` can be written: each is absent or a regular file (not
  /// a link, device, FIFO, socket or directory), in an existing directory
  /// this process may create files in. Tools call it before long work, so
  /// that a bad output path is reported before the training, not after.
  public static func checkReplaceable(_ paths: [String]) throws(WriteError) {
    for path in paths {
      var status = stat()
      if lstat(path, &status) == 0 {
        guard status.st_mode & S_IFMT == S_IFREG else {
          throw WriteError(description: "\(path) exists and is not a regular file; not replacing it")
        }
      } else if errno != ENOENT {
        throw WriteError(description: "cannot check \(path): \(String(cString: strerror(errno)))")
      }
      let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw WriteError(description: "cannot write \(path): no such directory \(directory)")
      }
      guard access(directory, W_OK | X_OK) == 0 else {
        throw WriteError(description: "cannot write in \(directory): \(String(cString: strerror(errno)))")
      }
    }
  }

  /// Creates the directory that is to hold `path`, and its parents, if
  /// they are missing.
  public static func createDirectory(for path: String) throws(WriteError) {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw WriteError(description: "cannot create the directory \(directory) for \(path): \(error.localizedDescription)")
    }
  }

  public static func write(_ files: [(path: String, data: Data)]) throws(WriteError) {
    try checkReplaceable(files.map(\.path))
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
