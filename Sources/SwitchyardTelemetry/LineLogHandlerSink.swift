import Foundation
import Logging
import SwitchyardCore

/// Request lines written by the log handler directly from their typed fields, skipping swift-log's metadata.
struct LineLogHandlerSink: LogLineSink {
    let handler: LineLogHandler

    func info(_ message: String, fields: [(key: String, value: LogFieldValue)]) {
        guard handler.logLevel <= .info else { return }
        handler.writeLine(level: .info, message: message, fields: fields.lazy.map { (key: $0.key, value: LineLogHandler.Field.typed($0.value)) })
    }
}
