import CoreMetrics
import Metrics
import SwitchyardCore

/// The gateway's request metrics, made with an injected factory (each server has its own backend).
/// Labels stay bounded: public model names and targets come from the configuration, statuses are HTTP codes.
public struct GatewayMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(model: String, target: Target?, status: Int, duration: Duration, timeToFirstToken: Duration?, tokens: TokenCounts, cost: Double) {
        let targetLabel = target?.label ?? "none"
        Counter(label: "switchyard_requests_total", dimensions: [("model", model), ("target", targetLabel), ("status", String(status))], factory: factory)
            .increment()
        Timer(label: "switchyard_request_duration_seconds", dimensions: [("model", model)], preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(duration.wholeNanoseconds)
        if let timeToFirstToken {
            Timer(label: "switchyard_time_to_first_token_seconds", dimensions: [("model", model)], preferredDisplayUnit: .seconds, factory: factory)
                .recordNanoseconds(timeToFirstToken.wholeNanoseconds)
        }
        for (kind, count) in [("prompt", tokens.prompt), ("completion", tokens.completion), ("cached", tokens.cached)] where count > 0 {
            Counter(label: "switchyard_tokens_total", dimensions: [("model", model), ("kind", kind)], factory: factory).increment(by: count)
        }
        if cost > 0 {
            FloatingPointCounter(label: "switchyard_cost_usd_total", dimensions: [("model", model)], factory: factory).increment(by: cost)
        }
    }
}
