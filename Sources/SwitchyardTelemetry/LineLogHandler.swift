import Foundation
import Logging
import SwitchyardCore

/// A swift-log handler writing one line per message, as JSON (one object per line, metadata as top-level
/// fields) or as text, through a ``LogLineWriter`` so logging never blocks on output.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LoggingSettings.Format
    private let writer: LogLineWriter

    public init(label: String, level: Logger.Level, format: LoggingSettings.Format, writer: LogLineWriter = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.writer = writer
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata {
            if merged.isEmpty { merged = extra } else { merged.merge(extra) { _, new in new } }
        }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        switch format {
        case .json: Self.json(event, label: label, metadata: merged, into: &line)
        case .text: Self.text(event, label: label, metadata: merged, into: &line)
        }
        writer.write(line)
    }

    static func json(_ event: LogEvent, label: String, metadata: Logger.Metadata, into line: inout [UInt8]) {
        line.append(contentsOf: #"{"time":""#.utf8)
        UTCTimestamp.append(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(contentsOf: #"","label":"#.utf8)
        JSONText.appendString(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONText.appendString(event.message.description, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !reservedKeys.contains(key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONText.appendValue(value, to: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    /// Fields every line has, which metadata may not overwrite.
    private static let reservedKeys: Set<String> = ["time", "level", "label", "message"]

    static func text(_ event: LogEvent, label: String, metadata: Logger.Metadata, into line: inout [UInt8]) {
        UTCTimestamp.append(to: &line)
        line.append(contentsOf: " \(event.level.rawValue) \(label): ".utf8)
        appendEscaped("\(event.message)", to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(contentsOf: " \(key)=".utf8)
            appendEscaped("\(value)", to: &line)
        }
    }

    /// Control characters (a newline in a client's string, say) are written escaped, so no value can start a line.
    private static func appendEscaped(_ text: String, to line: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20, 0x7F: line.append(UInt8(ascii: "?"))
            default: line.append(byte)
            }
        }
    }
}

/// JSON text building blocks for log lines.
enum JSONText {
    static func appendString(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// Numbers and booleans as JSON numbers and booleans, nested metadata as objects and arrays, the rest as strings.
    static func appendValue(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: line.append(contentsOf: String(number).utf8)
            case let number as Double where number.isFinite: line.append(contentsOf: String(number).utf8)
            case let flag as Bool: line.append(contentsOf: (flag ? "true" : "false").utf8)
            default: appendString(convertible.description, to: &line)
            }
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendValue(element, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            line.append(UInt8(ascii: "{"))
            for (index, (key, element)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendValue(element, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }
}
