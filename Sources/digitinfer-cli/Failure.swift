import ArgumentParser
import Foundation

/// The exit statuses, one meaning each, so that scripts can tell a bad
/// image from a bad model or a typo.
enum ExitStatus {
  /// Some image (or, for eval, nothing) could not be classified; the others were.
  static let someFailed: Int32 = 1
  /// Nothing could be done: the model, the data, or an output directory failed.
  static let fatal: Int32 = 2
  /// ArgumentParser's status for a command line it rejects (EX_USAGE).
  static let usage: Int32 = ExitCode.validationFailure.rawValue

  static let help = """
    Exit status:
      0   success: every image was classified
      1   at least one image could not be read, decoded or classified (the others still were)
      2   the model, the data set or an output directory could not be used: nothing was done
      64  the command line is wrong (unknown option, missing argument)
    """
}

/// A failure that ends the command: printed as one line,
/// `digitinfer-cli: <file>: <reason>`, then the process exits with `status`.
struct Failure: Error, CustomStringConvertible {
  let description: String
  let status: Int32

  init(_ description: String, status: Int32 = ExitStatus.fatal) {
    self.description = description
    self.status = status
  }
}

/// Standard error, unbuffered, one line at a time.
enum Stderr {
  static func line(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// `digitinfer-cli: <message>`.
  static func error(_ message: String) {
    line("digitinfer-cli: \(message)")
  }
}

extension ParsableCommand {
  /// Runs `body`, turning a `Failure` into its one-line message and exit
  /// status; ArgumentParser's own errors (usage, ExitCode) pass through.
  func reportingFailures(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch let failure as Failure {
      Stderr.error(failure.description)
      throw ExitCode(failure.status)
    }
  }
}
