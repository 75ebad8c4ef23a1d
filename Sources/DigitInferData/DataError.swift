/// A failure to read a data file; `description` is one line naming the file
/// and what is wrong.
public struct DataError: Error, CustomStringConvertible, Sendable {
  /// The file (or, for a set built in memory, the set's name) at fault.
  public let path: String
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
