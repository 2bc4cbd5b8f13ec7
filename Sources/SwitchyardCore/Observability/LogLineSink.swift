public import Logging

/// A log field's value, typed, so a line writer renders it without inspecting an existential.
public enum LogFieldValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case flag(Bool)

    /// The value as swift-log metadata.
    public var metadataValue: Logger.MetadataValue {
        switch self {
        case .string(let text): .string(text)
        case .integer(let number): .stringConvertible(number)
        case .number(let number): .stringConvertible(number)
        case .flag(let flag): .stringConvertible(flag)
        }
    }
}

/// Where lines written once per request go (the request line): an info-level message with typed fields, given in
/// the order they are written. Building swift-log metadata for every request costs a dictionary and a sort; a
/// sink that writes the fields as they come does not.
public protocol LogLineSink: Sendable {
    func info(_ message: String, fields: [(key: String, value: LogFieldValue)])
}

/// Any swift-log logger as a sink: the fields become metadata.
public struct LoggerLineSink: LogLineSink {
    public let logger: Logger

    public init(_ logger: Logger) {
        self.logger = logger
    }

    public func info(_ message: String, fields: [(key: String, value: LogFieldValue)]) {
        var metadata = Logger.Metadata(minimumCapacity: fields.count)
        for field in fields { metadata[field.key] = field.value.metadataValue }
        logger.info("\(message)", metadata: metadata)
    }
}
