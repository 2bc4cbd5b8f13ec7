

/// The process log and the stored request log.
public struct LoggingSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case json
        /// `time level label: message key=value ...`
        case text
    }

    /// The lowest level written: trace, debug, info, notice, warning, error or critical.
    public var level: String
    public var format: Format
    /// Whether each request gets a log line (at info).
    public var requestLines: Bool
    /// Whether each request's metadata is stored, for `GET /admin/logs`.
    public var requestLog: Bool
    /// Whether the request log keeps request and response bodies (API keys redacted).
    public var bodies: Bool
    /// The most bytes kept of each body.
    public var maxBodyBytes: Int
    /// How long request-log rows are kept; nil keeps them.
    public var retention: Duration?

    public init(
        level: String = "info", format: Format = .json, requestLines: Bool = true, requestLog: Bool = true, bodies: Bool = false,
        maxBodyBytes: Int = 16 << 10, retention: Duration? = .seconds(30 * 86_400)
    ) {
        self.level = level
        self.format = format
        self.requestLines = requestLines
        self.requestLog = requestLog
        self.bodies = bodies
        self.maxBodyBytes = maxBodyBytes
        self.retention = retention
    }
}
