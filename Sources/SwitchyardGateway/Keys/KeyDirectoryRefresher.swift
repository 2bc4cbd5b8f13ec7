package import Logging
import ServiceLifecycle
package import SwitchyardCore

/// Checks storage every `interval` and reloads the key directory when keys or teams changed, so keys created or
/// deleted through any replica take effect on this one. When storage cannot be reached, the last directory keeps
/// serving until the authenticator's staleness limit, past which virtual keys are refused. After each check, the
/// limit, spend and metric tables forget the keys and teams no longer in force.
package struct KeyDirectoryRefresher: Service {
    let directory: KeyDirectory
    let store: any KeyStore
    let interval: Duration
    let logger: Logger
    /// Tables keyed by key and team, told which remain in force.
    let limits: LimitLedger?
    let spend: SpendLedger?
    let metrics: GatewayMetrics?

    package init(
        directory: KeyDirectory, store: any KeyStore, interval: Duration = .seconds(1), limits: LimitLedger? = nil, spend: SpendLedger? = nil,
        metrics: GatewayMetrics? = nil, logger: Logger
    ) {
        self.directory = directory
        self.store = store
        self.interval = interval
        self.limits = limits
        self.spend = spend
        self.metrics = metrics
        self.logger = logger
    }

    package func run() async throws {
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not reload keys; serving the last ones loaded") {
            try await directory.refreshIfChanged(from: store)
            forgetRemoved()
        }
    }

    /// Drops what the limit, spend and metric tables hold for keys and teams reloads removed (whether this service
    /// or an admin change made the reload); nothing when none was removed.
    func forgetRemoved() {
        let removed = directory.takeRemovedScopes()
        guard !removed.isEmpty else { return }
        limits?.forget(scopes: removed)
        spend?.forget(scopes: removed, active: directory.activeScopes())
        metrics?.forgetCallers(scopes: removed)
    }
}
