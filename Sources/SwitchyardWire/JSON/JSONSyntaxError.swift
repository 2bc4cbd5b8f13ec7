import NIOCore

/// Malformed JSON, with the byte offset where scanning stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let expected: String

    public var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
}
