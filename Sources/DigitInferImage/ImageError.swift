/// Why an image could not be read or written: one line, without the file
/// name (callers that know it put it in front).
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
  public let description: String

  public init(_ description: String) {
    self.description = description
  }
}
