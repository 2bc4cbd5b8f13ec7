package import Logging
import OTel
package import ServiceLifecycle
package import SwitchyardCore
package import Tracing

/// The tracing backend: an OpenTelemetry tracer whose spans are batched and exported over OTLP/HTTP.
///
/// The tracer is handed to the gateway explicitly rather than bootstrapped process-wide, so each server (tests
/// run several in one process) exports to its own endpoint. The standard `OTEL_*` environment variables
/// (`OTEL_EXPORTER_OTLP_HEADERS` for a collector's credentials, for one) still apply.
package struct TraceExporter: Sendable {
    /// Makes spans.
    package let tracer: any Tracer
    /// Batches and exports finished spans; run it with the server, it flushes what is left when it stops.
    package let service: any Service

    /// The exporter for `settings`; nil when tracing is off (no endpoint).
    package static func make(_ settings: TelemetrySettings, logger: Logger) throws -> TraceExporter? {
        guard let endpoint = settings.otlpEndpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.sampler = settings.sampleRatio >= 1 ? .parentBasedAlwaysOn : .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = settings.exportInterval
        configuration.traces.otlpExporter.endpoint = endpoint
        configuration.traces.otlpExporter.protocol =
            switch settings.otlpProtocol {
            case .httpProtobuf: .httpProtobuf
            case .httpJSON: .httpJSON
            }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return TraceExporter(tracer: backend.factory, service: backend.service)
    }
}
