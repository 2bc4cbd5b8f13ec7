import Synchronization
package import SwitchyardCore

/// The configured models, the providers behind them, and one ``TargetMonitor`` per distinct target.
package final class ModelCatalog: Sendable {
    /// A model ready to route: its configuration, and for each target its monitor and adapter.
    final class Entry: Sendable {
        let route: ModelRoute
        let monitors: [TargetMonitor]
        let providers: [String: any Provider]
        private let rotation = Atomic<Int>(0)
        /// Makes least-busy's reading of the loads and its reservation of the least loaded one a single step. One
        /// for the process, as targets are shared between models (the step is a sort of a few counters).
        private static let leastBusyChoice = Mutex(())

        init(route: ModelRoute, monitors: [TargetMonitor], providers: [String: any Provider]) {
            self.route = route
            self.monitors = monitors
            self.providers = providers
        }

        /// Where round-robin (and every tie-break) starts for the next request.
        func nextRotation() -> Int { rotation.wrappingAdd(1, ordering: .relaxed).oldValue }

        /// The targets in the order one request should try them. Under least-busy the first is reserved in the same
        /// step, so requests choosing at the same instant spread out; the caller releases `reserved` once it has
        /// admitted (or given up on) that target.
        func orderedTargets(
            streaming: Bool, using random: inout some RandomNumberGenerator
        ) -> (targets: [TargetMonitor], reserved: TargetMonitor?) {
            guard route.strategy == .leastBusy, monitors.count > 1 else {
                return (TargetOrdering.order(monitors, strategy: route.strategy, rotation: nextRotation(), streaming: streaming, using: &random), nil)
            }
            return Self.leastBusyChoice.withLock { _ in
                let ordered = TargetOrdering.order(monitors, strategy: .leastBusy, rotation: nextRotation(), streaming: streaming, using: &random)
                ordered.first?.reserve()
                return (ordered, ordered.first)
            }
        }
    }

    private let entries: [String: Entry]
    /// The model routes in configuration order.
    package let routes: [ModelRoute]
    /// Every distinct target, in configuration order.
    package let monitors: [TargetMonitor]
    /// The adapters by provider name.
    package let providers: [String: any Provider]
    /// Where routing, attempt and limit metrics go; nil records none.
    package let metrics: GatewayMetrics?

    /// - Precondition: every target names a provider in `providers` (the configuration validated this).
    /// - Parameter carriedOver: monitors of a catalog this one replaces, by target, to keep (with their circuits,
    ///   in-flight counts and measurements) for the targets that did not change.
    package init(
        routes: [ModelRoute], providers: [String: any Provider], circuitBreaker: CircuitBreakerPolicy = .init(), metrics: GatewayMetrics? = nil,
        carriedOver: [Target: TargetMonitor] = [:]
    ) {
        self.routes = routes
        self.providers = providers
        self.metrics = metrics
        var monitorsByTarget: [Target: TargetMonitor] = [:]
        var ordered: [TargetMonitor] = []
        var entries: [String: Entry] = [:]
        for route in routes {
            let monitors = route.targets.filter { providers[$0.provider] != nil }.map { target in
                if let existing = monitorsByTarget[target] { return existing }
                let monitor = carriedOver[target] ?? TargetMonitor(target: target, breaker: circuitBreaker, providerKind: providers[target.provider]?.kind, metrics: metrics)
                monitorsByTarget[target] = monitor
                ordered.append(monitor)
                return monitor
            }
            entries[route.name] = Entry(route: route, monitors: monitors, providers: providers)
        }
        self.entries = entries
        monitors = ordered
    }

    func entry(_ name: String) -> Entry? { entries[name] }

    /// Whether `name` is a configured model.
    package func contains(_ name: String) -> Bool { entries[name] != nil }

    /// How one model's targets stand: for readiness, which reports each model without depending on any.
    package struct ModelHealth: Sendable, Equatable {
        package var name: String
        package var targets: Int
        /// Targets that would take a request now.
        package var usableTargets: Int
        package var openCircuits: Int

        /// `ok` (every target usable), `degraded` (some) or `unavailable` (none).
        package var state: String {
            usableTargets == 0 ? "unavailable" : usableTargets < targets ? "degraded" : "ok"
        }
    }

    /// Each configured model's state now, in configuration order.
    package func health(at now: ContinuousClock.Instant = .now) -> [ModelHealth] {
        routes.map { route in
            let snapshots = entries[route.name]?.monitors.map { $0.snapshot(at: now) } ?? []
            let open = snapshots.filter { if case .open = $0.state { true } else { false } }.count
            return ModelHealth(name: route.name, targets: snapshots.count, usableTargets: snapshots.filter(\.usable).count, openCircuits: open)
        }
    }

    /// The public models that route to `target`.
    package func models(using target: Target) -> [String] {
        routes.filter { $0.targets.contains(target) }.map(\.name)
    }
}
