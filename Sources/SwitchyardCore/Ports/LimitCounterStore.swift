/// Cumulative rate-limit consumption per replica, shared so every replica can count the others' traffic.
public protocol LimitCounterStore: Sendable {
    /// Whether the store is shared by several processes (SQLite is not), so syncing is worth doing.
    var isShared: Bool { get }
    /// Stores this replica's running totals per scope (`key:<id>`, `team:<id>`).
    func publish(replica: String, totals: [String: LimitTotals]) async throws
    /// The running totals of every other replica, per replica and scope.
    func totals(excluding replica: String) async throws -> [String: [String: LimitTotals]]
}

/// Requests and tokens a replica counted for one scope since it started.
public struct LimitTotals: Sendable, Equatable {
    public var requests: Int
    public var tokens: Int

    public init(requests: Int, tokens: Int) {
        self.requests = requests
        self.tokens = tokens
    }
}
