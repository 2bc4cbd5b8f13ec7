/// Where and how traces are exported.
public struct TelemetrySettings: Sendable, Equatable {
    /// The OTLP encoding on HTTP.
    public enum OTLPProtocol: String, Sendable, CaseIterable {
        case httpProtobuf = "http/protobuf"
        case httpJSON = "http/json"
    }

    /// The OTLP/HTTP traces endpoint (e.g. `http://collector:4318/v1/traces`); nil turns tracing off.
    public var otlpEndpoint: String?
    public var otlpProtocol: OTLPProtocol
    /// `service.name` on every span.
    public var serviceName: String
    /// The share of new traces recorded, 0 to 1; a client's sampled flag is followed.
    public var sampleRatio: Double
    /// How long finished spans wait to be sent in a batch.
    public var exportInterval: Duration

    public init(
        otlpEndpoint: String? = nil, otlpProtocol: OTLPProtocol = .httpProtobuf, serviceName: String = "switchyard", sampleRatio: Double = 1,
        exportInterval: Duration = .seconds(5)
    ) {
        self.otlpEndpoint = otlpEndpoint
        self.otlpProtocol = otlpProtocol
        self.serviceName = serviceName
        self.sampleRatio = sampleRatio
        self.exportInterval = exportInterval
    }
}

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
