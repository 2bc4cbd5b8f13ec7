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
