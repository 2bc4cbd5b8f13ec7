package import Instrumentation
import Foundation
package import Logging
import NIOCore
import Synchronization
package import SwitchyardCore
package import Tracing

/// Opens a journal for each request and, when it finishes, turns its summary into every signal the gateway
/// gives: the request metrics, the server span, one log line, and a request-log row.
///
/// Reporting is cheap and never waits: metrics are atomic adds on cached handles, the log line is queued for a
/// writer thread, and the row is queued for the batched writer, which converts and redacts bodies off the
/// request path.
package struct RequestObserver: Sendable {
    package let metrics: GatewayMetrics?
    package let tracer: (any Tracer)?
    package let requestLog: BatchedWriter<RequestSummary>?
    /// Where finished requests are added up for the analytics; nil keeps none.
    package var requestStats: BatchedWriter<RequestStats>?
    /// Where request lines go; nil writes none.
    package let requestLines: (any LogLineSink)?
    /// The most body bytes the request log keeps; nil keeps no bodies.
    package let captureLimit: Int?
    let redactor: SecretRedactor

    /// - Parameter secrets: the configured secrets (provider keys, the master key), masked wherever they appear in
    ///   what is reported.
    package init(
        metrics: GatewayMetrics? = nil, tracer: (any Tracer)? = nil, requestLog: BatchedWriter<RequestSummary>? = nil, requestLines: (any LogLineSink)? = nil,
        captureLimit: Int? = nil, secrets: [String] = []
    ) {
        redactor = SecretRedactor(literals: secrets)
        self.metrics = metrics
        self.tracer = tracer
        self.requestLog = requestLog
        self.requestLines = requestLines
        self.captureLimit = captureLimit
    }

    /// Opens the journal of a request that just arrived; `parent` is the trace context its client sent.
    package func begin(requestID: String, method: String, path: String, parent: ServiceContext) -> RequestJournal {
        metrics?.requestStarted()
        let span = tracer.map { tracer in
            let span = tracer.startSpan(method, context: parent, ofKind: .server)
            span.attributes["http.request.method"] = method
            span.attributes["url.path"] = path
            span.attributes["switchyard.request_id"] = requestID
            return span
        }
        let observer = self
        return RequestJournal(
            summary: RequestSummary(requestID: requestID, method: method, path: path), span: span, captureLimit: captureLimit
        ) { summary, span in
            observer.report(summary, span: span)
        }
    }

    func report(_ summary: RequestSummary, span: (any Span)?) {
        metrics?.requestFinished(summary)
        if let span { Self.close(span, summary: summary, redactor: redactor) }
        if let requestLines { Self.logLine(summary, to: requestLines, redactor: redactor) }
        requestLog?.record(summary)
        if let requestStats, let stats = RequestStatsAggregator.stats(of: summary) { requestStats.record(stats) }
    }

    /// Names the span after its GenAI operation when it was one, sets the GenAI and HTTP attributes, and ends it.
    static func close(_ span: any Span, summary: RequestSummary, redactor: SecretRedactor) {
        if let operation = summary.operation, let model = summary.model {
            // Span names stay bounded: a model the configuration does not know is not named.
            span.operationName = "\(operation) \(summary.modelIsConfigured ? model : "unknown")"
            span.attributes["gen_ai.operation.name"] = operation
            span.attributes["gen_ai.request.model"] = model
        } else if summary.status != 404 {
            span.operationName = "\(summary.method) \(summary.path)"
        }
        if let target = summary.target {
            span.attributes["gen_ai.response.model"] = target.model
            span.attributes["switchyard.target"] = target.label
        }
        if let kind = summary.providerKind {
            span.attributes["gen_ai.provider.name"] = kind.semanticConventionName
            span.attributes["gen_ai.system"] = kind.semanticConventionName
        }
        if summary.promptTokens > 0 || summary.completionTokens > 0 {
            span.attributes["gen_ai.usage.input_tokens"] = summary.promptTokens
            span.attributes["gen_ai.usage.output_tokens"] = summary.completionTokens
        }
        if !summary.finishReasons.isEmpty { span.attributes["gen_ai.response.finish_reasons"] = SpanAttribute.stringArray(summary.finishReasons) }
        span.attributes["http.response.status_code"] = summary.status
        if summary.attempts > 0 { span.attributes["switchyard.attempts"] = summary.attempts }
        if let keyID = summary.keyID { span.attributes["switchyard.key_id"] = keyID }
        if summary.status >= 500 || summary.status == 499 {
            span.attributes["error.type"] = summary.errorKind ?? String(summary.status)
            span.setStatus(SpanStatus(code: .error, message: summary.errorMessage.map(redactor.redact)))
        }
        span.end()
    }

    /// One line per request at info: who, what, where it went, how it ended, what it cost. Never a key or a body.
    /// Fields are in alphabetical order, as every other line's metadata.
    static func logLine(_ summary: RequestSummary, to sink: any LogLineSink, redactor: SecretRedactor) {
        var fields: [(key: String, value: LogFieldValue)] = []
        fields.reserveCapacity(18)
        if summary.attempts > 0 { fields.append(("attempts", .integer(summary.attempts))) }
        let tokens = summary.promptTokens > 0 || summary.completionTokens > 0
        if tokens && summary.cachedTokens > 0 { fields.append(("cached_tokens", .integer(summary.cachedTokens))) }
        if tokens { fields.append(("completion_tokens", .integer(summary.completionTokens))) }
        if summary.costUSD > 0 { fields.append(("cost_usd", .number(summary.costUSD))) }
        if let error = summary.errorMessage { fields.append(("error", .string(redactor.redact(error)))) }
        if let guardrails = summary.guardrails { fields.append(("guardrails", .string(guardrails))) }
        if let keyID = summary.keyID { fields.append(("key_id", .string(keyID))) }
        fields.append(("latency_ms", .number(summary.duration.milliseconds)))
        fields.append(("method", .string(summary.method)))
        if let model = summary.model { fields.append(("model", .string(model))) }
        if let overhead = summary.overhead { fields.append(("overhead_ms", .number(overhead.milliseconds))) }
        fields.append(("path", .string(summary.path)))
        if let prompt = summary.prompt { fields.append(("prompt", .string(prompt))) }
        if let version = summary.promptVersion { fields.append(("prompt_version", .integer(version))) }
        if tokens { fields.append(("prompt_tokens", .integer(summary.promptTokens))) }
        fields.append(("request_id", .string(summary.requestID)))
        fields.append(("status", .integer(summary.status)))
        if summary.stream { fields.append(("stream", .flag(true))) }
        if let target = summary.target { fields.append(("target", .string(target.label))) }
        if let teamID = summary.teamID { fields.append(("team_id", .string(teamID))) }
        if let ttft = summary.timeToFirstToken { fields.append(("ttft_ms", .number(ttft.milliseconds))) }
        sink.info("request", fields: fields)
    }
}

extension BatchedWriter where Record == RequestSummary {
    /// The request log's writer: summaries become rows (bodies decoded and redacted) as they are written.
    /// - Parameter secrets: the configured secrets, masked wherever they appear in a row; a reload puts the new
    ///   configuration's in place.
    package convenience init(requestLog store: any RequestLogStore, secrets: Swappable<[String]>, metrics: GatewayMetrics? = nil, logger: Logger) {
        let redactors = Mutex<(secrets: [String], redactor: SecretRedactor)>(([], SecretRedactor(literals: [])))
        self.init(name: "request_log", metrics: metrics, logger: logger) { summaries in
            let current = secrets.current
            let redactor = redactors.withLock { cached in
                if cached.secrets != current { cached = (current, SecretRedactor(literals: current)) }
                return cached.redactor
            }
            try await store.appendLogs(summaries.map { RequestLogEntry(summary: $0, redactor: redactor) })
        }
    }
}

extension RequestLogEntry {
    init(summary: RequestSummary, redactor: SecretRedactor) {
        self.init(
            id: RequestLogEntry.makeID(at: summary.startedAt), requestID: summary.requestID, time: summary.startedAt, method: summary.method,
            path: summary.path, status: summary.status, keyID: summary.keyID, teamID: summary.teamID, model: summary.model,
            target: summary.target?.label, attempts: summary.attempts, stream: summary.stream, promptTokens: summary.promptTokens,
            completionTokens: summary.completionTokens, cachedTokens: summary.cachedTokens, costUSD: summary.costUSD,
            latencyMilliseconds: summary.duration.milliseconds, timeToFirstTokenMilliseconds: summary.timeToFirstToken?.milliseconds,
            overheadMilliseconds: summary.overhead?.milliseconds, error: summary.errorMessage.map(redactor.redact),
            requestBody: summary.requestBody.map { redactor.redact(String(buffer: $0)) },
            responseBody: summary.responseBody.map { redactor.redact(String(buffer: $0)) })
        cache = summary.cache
        guardrails = summary.guardrails
        prompt = summary.prompt.map { prompt in summary.promptVersion.map { "\(prompt)@\($0)" } ?? prompt }
    }
}

extension Duration {
    /// The duration in milliseconds, to the microsecond.
    var milliseconds: Double { (Double(wholeNanoseconds / 1000) / 1000) }
}
