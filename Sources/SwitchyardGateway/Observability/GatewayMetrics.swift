package import CoreMetrics
import Metrics
import Synchronization
import SwitchyardCore

/// The gateway's metrics, made with an injected factory (each server has its own backend).
///
/// Labels stay bounded: model names and targets come from the configuration (a model the configuration does not
/// know is `unknown`), statuses are HTTP codes, error types are the gateway's own kinds, keys and teams are
/// admin-created ids. Request ids and raw client strings are never labels. The handles of the per-request
/// series are cached per label set, so recording a request is a dictionary lookup and a few atomic adds.
package final class GatewayMetrics: Sendable {
    let factory: any MetricsFactory
    /// Where series labelled by key or team are made: kept apart, so an anonymous scrape carries no tenant data.
    let tenantFactory: any MetricsFactory
    private let requestSeries = LazyTable<RequestLabels, RequestSeries>()
    private let callerSeries = LazyTable<CallerLabels, CallerSeries>()
    private let attemptSeries = LazyTable<AttemptLabels, AttemptSeries>()
    private let cacheSeries = LazyTable<CacheLabels, Counter>()
    /// Requests in flight; the gauge is set under the same lock, so it never lags behind an older value.
    private let inFlightCount = Mutex<Int>(0)
    private let inFlight: Gauge
    private let overhead: Timer
    private let connectionsGauge: Gauge
    private let bufferedBodyGauge: Gauge
    /// Reads the request-body bytes held now; the gauge is set from it when metrics are scraped.
    private let bufferedBodyReading = Mutex<(@Sendable () -> Int)?>(nil)

    /// - Parameter tenantFactory: the factory of the series labelled by key or team; `factory` when nil.
    package init(factory: any MetricsFactory, tenantFactory: (any MetricsFactory)? = nil) {
        self.factory = factory
        self.tenantFactory = tenantFactory ?? factory
        inFlight = Gauge(label: "switchyard_in_flight_requests", factory: factory)
        connectionsGauge = Gauge(label: "switchyard_open_connections", factory: factory)
        bufferedBodyGauge = Gauge(label: "switchyard_buffered_body_bytes", factory: factory)
        overhead = Timer(label: "switchyard_overhead_seconds", preferredDisplayUnit: .seconds, factory: factory)
    }

    // MARK: Cache

    private struct CacheLabels: Hashable {
        var model: String
        var result: String
    }

    /// Counts what the response cache did for a request: `hit`, `semantic-hit`, `miss`, `bypass`.
    func cacheRequest(model: String, result: String) {
        cacheSeries.value(for: CacheLabels(model: model, result: result)) { labels in
            Counter(label: "switchyard_cache_requests_total", dimensions: [("model", labels.model), ("result", labels.result)], factory: factory)
        }.increment()
    }

    // MARK: Guardrails

    private struct GuardrailLabels: Hashable {
        var guardrail: String
        var action: String
        var direction: String
    }

    private let guardrailSeries = LazyTable<GuardrailLabels, Counter>()

    private struct PromptLabels: Hashable {
        var prompt: String
        var version: String
        var status: String
    }

    /// `switchyard_prompt_runs_total{prompt,version,status}`: runs of prompt endpoints.
    private let promptSeries = LazyTable<PromptLabels, Counter>()

    /// Counts a guardrail acting on a request (`direction` input) or an answer (output).
    func guardrailActed(guardrail: String, action: String, direction: String) {
        guardrailSeries.value(for: GuardrailLabels(guardrail: guardrail, action: action, direction: direction)) { labels in
            Counter(
                label: "switchyard_guardrail_actions_total",
                dimensions: [("guardrail", labels.guardrail), ("action", labels.action), ("direction", labels.direction)], factory: factory)
        }.increment()
    }

    // MARK: Requests

    private struct RequestLabels: Hashable {
        var model: String
        var target: String
        var provider: String
        var status: Int
    }

    private struct RequestSeries: Sendable {
        let requests: Counter
        let duration: Timer
        let timeToFirstToken: Timer
        let inputTokens: Counter
        let outputTokens: Counter
        let cachedTokens: Counter
        let cost: FloatingPointCounter
    }

    private struct CallerLabels: Hashable {
        var key: String
        var team: String
        var statusClass: String
    }

    private struct CallerSeries: Sendable {
        let requests: Counter
        let tokens: Counter
        let cost: FloatingPointCounter
    }

    /// Counts a request that arrived.
    func requestStarted() {
        inFlightCount.withLock { count in
            count += 1
            inFlight.record(count)
        }
    }

    /// Records everything a finished request tells: its count, latency, time to first token, tokens, cost, error
    /// type and overhead.
    func requestFinished(_ summary: RequestSummary) {
        inFlightCount.withLock { count in
            count -= 1
            inFlight.record(count)
        }
        let model = summary.modelIsConfigured ? summary.model ?? "none" : (summary.model == nil ? "none" : "unknown")
        let labels = RequestLabels(
            model: model, target: summary.target?.label ?? "none", provider: summary.providerKind?.rawValue ?? "none", status: summary.status)
        let series = requestSeries.value(for: labels, make: makeRequestSeries)
        series.requests.increment()
        series.duration.recordNanoseconds(summary.duration.wholeNanoseconds)
        if let timeToFirstToken = summary.timeToFirstToken { series.timeToFirstToken.recordNanoseconds(timeToFirstToken.wholeNanoseconds) }
        if summary.promptTokens > 0 { series.inputTokens.increment(by: summary.promptTokens) }
        if summary.completionTokens > 0 { series.outputTokens.increment(by: summary.completionTokens) }
        if summary.cachedTokens > 0 { series.cachedTokens.increment(by: summary.cachedTokens) }
        if summary.costUSD > 0 { series.cost.increment(by: summary.costUSD) }
        if let overhead = summary.overhead { self.overhead.recordNanoseconds(overhead.wholeNanoseconds) }
        if let errorKind = summary.errorKind {
            Counter(label: "switchyard_errors_total", dimensions: [("model", model), ("type", errorKind)], factory: factory).increment()
        }
        if let prompt = summary.prompt {
            let labels = PromptLabels(prompt: prompt, version: summary.promptVersion.map(String.init) ?? "none", status: String(summary.status))
            promptSeries.value(for: labels) { labels in
                Counter(
                    label: "switchyard_prompt_runs_total", dimensions: [("prompt", labels.prompt), ("version", labels.version), ("status", labels.status)],
                    factory: factory)
            }.increment()
        }
        guard summary.keyID != nil || summary.teamID != nil else { return }
        let caller = CallerLabels(key: summary.keyID ?? "none", team: summary.teamID ?? "none", statusClass: summary.statusClass)
        let callerSeries = self.callerSeries.value(for: caller) { caller in
            let dimensions = [("key", caller.key), ("team", caller.team)]
            let factory = tenantFactory
            return CallerSeries(
                requests: Counter(label: "switchyard_key_requests_total", dimensions: dimensions + [("status_class", caller.statusClass)], factory: factory),
                tokens: Counter(label: "switchyard_key_tokens_total", dimensions: dimensions, factory: factory),
                cost: FloatingPointCounter(label: "switchyard_key_cost_usd_total", dimensions: dimensions, factory: factory))
        }
        callerSeries.requests.increment()
        if summary.promptTokens + summary.completionTokens > 0 { callerSeries.tokens.increment(by: summary.promptTokens + summary.completionTokens) }
        if summary.costUSD > 0 { callerSeries.cost.increment(by: summary.costUSD) }
    }

    /// Removes the series of keys and teams no longer in force (`scopes` as `key:<id>` / `team:<id>`), so a
    /// deleted key's figures leave the exposition.
    func forgetCallers(scopes: Set<String>) {
        guard !scopes.isEmpty else { return }
        let removed = callerSeries.remove { labels in scopes.contains("key:" + labels.key) || scopes.contains("team:" + labels.team) }
        for series in removed {
            series.requests.destroy()
            series.tokens.destroy()
            series.cost.destroy()
        }
    }

    private func makeRequestSeries(_ labels: RequestLabels) -> RequestSeries {
        let status = String(labels.status)
        let model = [("model", labels.model)]
        return RequestSeries(
            requests: Counter(
                label: "switchyard_requests_total",
                dimensions: model + [
                    ("target", labels.target), ("provider", labels.provider), ("status", status), ("status_class", "\(labels.status / 100)xx"),
                ],
                factory: factory),
            duration: Timer(label: "switchyard_request_duration_seconds", dimensions: model, preferredDisplayUnit: .seconds, factory: factory),
            timeToFirstToken: Timer(label: "switchyard_time_to_first_token_seconds", dimensions: model, preferredDisplayUnit: .seconds, factory: factory),
            inputTokens: Counter(label: "switchyard_tokens_total", dimensions: model + [("kind", "input")], factory: factory),
            outputTokens: Counter(label: "switchyard_tokens_total", dimensions: model + [("kind", "output")], factory: factory),
            cachedTokens: Counter(label: "switchyard_tokens_total", dimensions: model + [("kind", "cached")], factory: factory),
            cost: FloatingPointCounter(label: "switchyard_cost_usd_total", dimensions: model, factory: factory))
    }

    // MARK: Upstream attempts and routing

    /// One upstream attempt ended: `success`, `failure` or `abandoned`.
    func attemptFinished(target: Target, provider: ProviderKind?, outcome: String, duration: Duration) {
        let labels = AttemptLabels(target: target.label, provider: provider?.rawValue ?? "none", outcome: outcome)
        let series = attemptSeries.value(for: labels) { labels in
            let dimensions = [("target", labels.target), ("provider", labels.provider), ("outcome", labels.outcome)]
            return AttemptSeries(
                attempts: Counter(label: "switchyard_upstream_attempts_total", dimensions: dimensions, factory: factory),
                duration: Timer(label: "switchyard_upstream_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory))
        }
        series.attempts.increment()
        series.duration.recordNanoseconds(duration.wholeNanoseconds)
    }

    private struct AttemptLabels: Hashable {
        var target: String
        var provider: String
        var outcome: String
    }

    private struct AttemptSeries: Sendable {
        let attempts: Counter
        let duration: Timer
    }

    /// A target's circuit changed state: 0 closed, 1 half-open, 2 open.
    func circuitState(target: Target, state: CircuitBreaker.State) {
        let value: Int =
            switch state {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        Gauge(label: "switchyard_circuit_state", dimensions: [("target", target.label)], factory: factory).record(value)
    }

    /// Another attempt at the same model after a failure, made at `target`.
    func retried(model: String, target: Target) {
        Counter(label: "switchyard_retries_total", dimensions: [("model", model), ("target", target.label)], factory: factory).increment()
    }

    /// The request moved on to a fallback model; `reason` is `error`, `context_window` or `content_policy`.
    func fellBack(from model: String, to fallback: String, reason: String) {
        Counter(label: "switchyard_fallbacks_total", dimensions: [("model", model), ("fallback", fallback), ("reason", reason)], factory: factory)
            .increment()
    }

    /// A request refused by a key's or team's limit: `rpm`, `tpm`, `max_parallel`, `budget` or `token_quota`.
    func rejected(limit: String, scope: String) {
        Counter(label: "switchyard_limit_rejections_total", dimensions: [("limit", limit), ("scope", scope)], factory: factory).increment()
    }

    // MARK: Connections

    /// The client connections open now.
    package func openConnections(_ count: Int) {
        connectionsGauge.record(count)
    }

    /// Request-body bytes held across every connection (`server.max_buffered_body_bytes` bounds them): read by
    /// `reading` at each scrape, not set on every body the server takes or lets go. Those changes come from every
    /// event loop at once, so setting the gauge from each could leave an older value last.
    package func readBufferedBodyBytes(with reading: @escaping @Sendable () -> Int) {
        bufferedBodyReading.withLock { $0 = reading }
    }

    /// Sets the gauges that are read rather than kept up to date; called before the metrics are rendered.
    package func takeReadings() {
        if let reading = bufferedBodyReading.withLock({ $0 }) { bufferedBodyGauge.record(reading()) }
    }

    /// A connection closed at once because the server had as many open as `server.max_connections` allows.
    package func connectionRejected() {
        Counter(label: "switchyard_connections_rejected_total", factory: factory).increment()
    }

    // MARK: Storage writers

    func recordQueueDepth(writer: String, depth: Int) {
        Gauge(label: "switchyard_storage_queue_depth", dimensions: [("writer", writer)], factory: factory).record(depth)
    }

    func recordDropped(writer: String, count: Int = 1) {
        Counter(label: "switchyard_storage_dropped_total", dimensions: [("writer", writer)], factory: factory).increment(by: count)
    }
}
