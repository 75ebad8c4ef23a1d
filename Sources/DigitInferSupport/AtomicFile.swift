import Foundation

/// Writing files so that readers see the old content or the new, never a
/// part: each file goes to a temporary beside it (same directory, so the
/// same file system and an atomic rename), and only when every temporary of
/// a group is complete are they renamed into place. A failure before the
/// renames leaves the previous files untouched and no temporaries behind;
/// a process killed at any moment leaves no partly written file at a
/// destination, and a group it was renaming is finished by the next write
/// of the same files (see `write(_:)`). Only regular files are ever replaced: a rename would put a regular file
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
    try createDirectory(at: directory, purpose: " for \(path)")
  }

  /// Creates `directory` and its parents if they are missing, and checks
  /// that this process may write in it: the output folders of the tools
  /// (--save-accepted, the CLI's --show, --errors, --save-preprocessed).
  public static func createDirectory(at directory: String) throws(WriteError) {
    try createDirectory(at: directory, purpose: "")
  }

  private static func createDirectory(at directory: String, purpose: String) throws(WriteError) {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw WriteError(description: "cannot create the directory \(directory)\(purpose): \(error.localizedDescription)")
    }
    guard access(directory, W_OK | X_OK) == 0 else {
      throw WriteError(description: "cannot write in \(directory): \(String(cString: strerror(errno)))")
    }
  }

  /// Writes a group of files: each to a temporary beside it (flushed to
  /// disk), then all renamed into place. A group of several is committed
  /// through a journal, so that a writer killed among the renames leaves a
  /// group that the next write of the same files completes (`recover`):
  /// after a SIGKILL the destination holds the old files, the new ones, or
  /// (until that next write) the new ones partly renamed with the journal
  /// beside them naming the rest. Never a partly written file.
  public static func write(_ files: [(path: String, data: Data)]) throws(WriteError) {
    let paths = files.map { absolute($0.path) }
    try checkReplaceable(paths)
    try recover(paths)
    var temporaries: [String] = []
    var renamed = 0
    defer { for temp in temporaries[renamed...] { unlink(temp) } }
    for (path, file) in zip(paths, files) {
      let temp = temporaryPath(for: path)
      try writeDurably(file.data, to: temp, naming: file.path)
      temporaries.append(temp)
    }
    let journal = files.count > 1 ? journalPath(for: paths[0]) : nil
    if let journal {
      let pairs = zip(temporaries, paths).map { "\($0)\u{0}\($1)\u{0}" }.joined()
      let temp = temporaryPath(for: journal)
      try writeDurably(Data(pairs.utf8), to: temp, naming: journal)
      guard rename(temp, journal) == 0 else {
        unlink(temp)
        throw WriteError(description: "cannot commit \(files[0].path): \(String(cString: strerror(errno)))")
      }
    }
    for (temp, (path, file)) in zip(temporaries, zip(paths, files)) {
      guard rename(temp, path) == 0 else {
        let reason = String(cString: strerror(errno))
        // The renames done stay; the journal would make a later write
        // finish a group that failed, so it goes, and the error says so.
        if let journal { unlink(journal) }
        throw WriteError(description: "cannot rename \(temp) to \(file.path): \(reason)" + (renamed > 0 ? " (\(renamed) of \(files.count) files already replaced)" : ""))
      }
      renamed += 1
    }
    if let journal { unlink(journal) }
    // The renames themselves reach the disk with their directories.
    for directory in Set(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }) {
      let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if fd >= 0 {
        fsync(fd)
        close(fd)
      }
    }
  }

  /// Finishes a group write that a killed process left: if the journal
  /// beside `paths[0]` exists, every temporary it names that is still there
  /// is complete (the journal is written only after all of them) and is
  /// renamed into place. Then removes temporaries of these files left by
  /// processes that no longer run. `write` does this itself; tools call it
  /// at start, so that what they read (a checkpoint) and report is whole.
  public static func recover(_ paths: [String]) throws(WriteError) {
    let paths = paths.map(absolute)
    guard let first = paths.first else { return }
    let journal = journalPath(for: first)
    if let data = FileManager.default.contents(atPath: journal) {
      let fields = String(decoding: data, as: UTF8.self).split(separator: "\u{0}").map(String.init)
      for pair in stride(from: 0, to: fields.count - 1, by: 2) where access(fields[pair], F_OK) == 0 {
        guard rename(fields[pair], fields[pair + 1]) == 0 else {
          throw WriteError(description: "cannot finish the interrupted write of \(fields[pair + 1]): \(String(cString: strerror(errno)))")
        }
      }
      unlink(journal)
    }
    for path in paths + [journal] { removeStaleTemporaries(of: path) }
  }

  /// `.NAME.PID.RANDOM.tmp` in the same directory: the same file system,
  /// so the rename is atomic; the PID tells a later run whether the writer
  /// is gone.
  private static func temporaryPath(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    ).path
  }

  private static func journalPath(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).journal").path
  }

  private static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).path }

  private static func removeStaleTemporaries(of path: String) {
    let url = URL(fileURLWithPath: path)
    let prefix = ".\(url.lastPathComponent)."
    let directory = url.deletingLastPathComponent().path
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
      let fields = entry.dropFirst(prefix.count).split(separator: ".")
      guard fields.count == 3, let pid = pid_t(fields[0]), pid != getpid(),
        kill(pid, 0) != 0, errno == ESRCH
      else { continue }
      unlink(directory + "/" + entry)
    }
  }

  /// Creates `path` (which must not exist), writes `data` and flushes it to
  /// disk, so that a rename after a crash never exposes an empty file.
  private static func writeDurably(_ data: Data, to path: String, naming name: String) throws(WriteError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw WriteError(description: "cannot write \(name): \(String(cString: strerror(errno)))") }
    var failure: String?
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = String(cString: strerror(errno))
          return
        }
        offset += n
      }
    }
    if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    if let failure {
      unlink(path)
      throw WriteError(description: "cannot write \(name): \(failure)")
    }
  }
}

/// write(2), which AtomicFile's own `write` hides inside the type.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
