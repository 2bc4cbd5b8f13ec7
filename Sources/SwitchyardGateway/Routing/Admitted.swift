import SwitchyardCore

/// A routed answer with what settling it needs: the caller's permit and when the request started.
struct Admitted<Value: Sendable>: Sendable {
    var answered: Answered<Value>
    var permit: LimitPermit?
    var started: ContinuousClock.Instant

    func routed<Other: Sendable>(_ value: Other) -> Gateway.Routed<Other> {
        Gateway.Routed(value: value, target: answered.lease.monitor.target, attempts: answered.attempts, headroom: permit?.headroom)
    }
}
