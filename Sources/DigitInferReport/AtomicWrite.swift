import Foundation

/// A failure writing report files, with a message fit for the terminal.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Writes files so that a reader sees each one whole, old or new.
///
/// Every file is first written to a temporary beside its destination (same
/// directory, hence same file system, so the rename is atomic). Only when all
/// temporaries are complete are they renamed into place, so a full disk or a
/// bad directory leaves the previous set of files untouched and no litter.
enum AtomicWrite {
  static func write(_ files: [(path: String, data: Data)]) throws {
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
          // A partial temporary may exist even though the write threw.
          unlink(temp)
          throw ReportError("cannot write \(file.path): \(error.localizedDescription)")
        }
        temporaries.append(temp)
      }
      for (temp, file) in zip(temporaries, files) {
        if rename(temp, file.path) != 0 {
          let reason = String(cString: strerror(errno))
          throw ReportError("cannot rename \(temp) to \(file.path): \(reason)")
        }
        renamed += 1
      }
    } catch {
      for temp in temporaries[renamed...] { unlink(temp) }
      throw error
    }
  }
}
