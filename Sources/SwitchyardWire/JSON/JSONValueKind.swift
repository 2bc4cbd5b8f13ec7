import NIOCore

/// The kind of a JSON value, as found by ``TopLevelJSON``.
public enum JSONValueKind: Sendable, Equatable {
    case object, array, string, number, bool, null

    /// The name used in error messages ("a string", "an array", ...).
    public var article: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
