import Synchronization
import SwitchyardCore

/// The configured models and the providers behind them; turns a public model name into the ordered list of
/// attempts to make.
public final class ModelCatalog: Sendable {
    /// One upstream call to try: which model route it serves, which target, and the adapter to use.
    public struct Attempt: Sendable {
        public var route: String
        public var target: Target
        public var provider: any Provider
    }

    private final class Entry: Sendable {
        let route: ModelRoute
        /// Where the next request starts, for round-robin.
        let cursor = Atomic<Int>(0)

        init(route: ModelRoute) {
            self.route = route
        }
    }

    private let entries: [String: Entry]
    private let providers: [String: any Provider]
    /// The model routes in configuration order.
    public let routes: [ModelRoute]

    /// - Precondition: every target names a provider in `providers` (the configuration validated this).
    public init(routes: [ModelRoute], providers: [String: any Provider]) {
        self.routes = routes
        self.providers = providers
        var entries: [String: Entry] = [:]
        for route in routes { entries[route.name] = Entry(route: route) }
        self.entries = entries
    }

    /// Whether `name` is a configured model.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The attempts for `model`: its targets, starting where its strategy says, then each fallback's targets.
    /// - Throws: ``GatewayError/unknownModel(_:)``.
    public func plan(for model: String) throws(GatewayError) -> [Attempt] {
        guard let entry = entries[model] else { throw .unknownModel(model) }
        var attempts: [Attempt] = []
        attempts.reserveCapacity(entry.route.targets.count + entry.route.fallbacks.count)
        appendAttempts(for: entry, to: &attempts)
        for fallback in entry.route.fallbacks {
            if let fallbackEntry = entries[fallback] { appendAttempts(for: fallbackEntry, to: &attempts) }
        }
        return attempts
    }

    private func appendAttempts(for entry: Entry, to attempts: inout [Attempt]) {
        let targets = entry.route.targets
        guard !targets.isEmpty else { return }
        let start: Int
        switch entry.route.strategy {
        case .roundRobin: start = entry.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        }
        for offset in 0..<targets.count {
            let target = targets[(start + offset) % targets.count]
            guard let provider = providers[target.provider] else { continue }
            attempts.append(Attempt(route: entry.route.name, target: target, provider: provider))
        }
    }
}
