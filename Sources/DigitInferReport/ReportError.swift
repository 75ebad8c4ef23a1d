import Foundation

/// A failure writing report files, with a message fit for the terminal.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

