import Foundation
package import Logging
package import SwitchyardCore

/// A swift-log handler writing one line per message, as JSON (one object per line, metadata as top-level
/// fields) or as text, through a ``LogLineWriter`` so logging never blocks on output.
package struct LineLogHandler: LogHandler {
    /// The level of `settings`, unless one was set on this handler's logger.
    package var logLevel: Logger.Level {
        get { ownLevel ?? settings.level }
        set { ownLevel = newValue }
    }
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let settings: LogSettings
    private var ownLevel: Logger.Level?
    private let writer: LogLineWriter

    /// A handler that follows `settings` as they change.
    package init(label: String, settings: LogSettings, writer: LogLineWriter = .standardError) {
        self.label = label
        self.settings = settings
        self.writer = writer
    }

    package init(label: String, level: Logger.Level, format: LoggingSettings.Format, writer: LogLineWriter = .standardError) {
        self.init(label: label, settings: LogSettings(level: level, format: format), writer: writer)
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata {
            if merged.isEmpty { merged = extra } else { merged.merge(extra) { _, new in new } }
        }
        let fields = merged.sorted(by: { $0.key < $1.key }).lazy.map { (key: $0.key, value: Field.metadata($0.value)) }
        writeLine(level: event.level, message: event.message.description, fields: fields)
    }

    /// A field of a line: swift-log metadata, or a typed value from a ``LogLineSink``.
    enum Field {
        case metadata(Logger.MetadataValue)
        case typed(LogFieldValue)
    }

    func writeLine(level: Logger.Level, message: String, fields: some Sequence<(key: String, value: Field)>) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        switch settings.format {
        case .json: Self.json(level: level, label: label, message: message, fields: fields, into: &line)
        case .text: Self.text(level: level, label: label, message: message, fields: fields, into: &line)
        }
        writer.write(line)
    }

    static func json(
        level: Logger.Level, label: String, message: String, fields: some Sequence<(key: String, value: Field)>, into line: inout [UInt8]
    ) {
        line.append(contentsOf: #"{"time":""#.utf8)
        UTCTimestamp.append(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","label":"#.utf8)
        JSONText.appendString(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONText.appendString(message, to: &line)
        for (key, value) in fields where !isReserved(key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            switch value {
            case .metadata(let value): JSONText.appendValue(value, to: &line)
            case .typed(let value): JSONText.appendValue(value, to: &line)
            }
        }
        line.append(UInt8(ascii: "}"))
    }

    /// Whether `key` names a field every line has, which metadata may not overwrite.
    private static func isReserved(_ key: String) -> Bool {
        key == "time" || key == "level" || key == "label" || key == "message"
    }

    static func text(
        level: Logger.Level, label: String, message: String, fields: some Sequence<(key: String, value: Field)>, into line: inout [UInt8]
    ) {
        UTCTimestamp.append(to: &line)
        line.append(contentsOf: " \(level.rawValue) \(label): ".utf8)
        appendEscaped(message, to: &line)
        for (key, value) in fields {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            switch value {
            case .metadata(let value): appendEscaped("\(value)", to: &line)
            case .typed(.string(let text)): appendEscaped(text, to: &line)
            case .typed(.integer(let number)): line.append(contentsOf: String(number).utf8)
            case .typed(.number(let number)): line.append(contentsOf: String(number).utf8)
            case .typed(.flag(let flag)): line.append(contentsOf: (flag ? "true" : "false").utf8)
            }
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

extension LineLogHandler {
    /// A sink for `logger`'s lines: written straight by its handler when that is a plain ``LineLogHandler``
    /// (no metadata of its own), otherwise through `logger`.
    package static func lineSink(for logger: Logger) -> any LogLineSink {
        if let handler = logger.handler as? LineLogHandler, handler.metadata.isEmpty, handler.metadataProvider == nil {
            return LineLogHandlerSink(handler: handler)
        }
        return LoggerLineSink(logger)
    }
}
