import Foundation
import Synchronization

/// A key or a team, as limits, budgets and spend count against it.
public struct GrantScope: Sendable {
    /// `key:<id>` or `team:<id>`: the name counters are kept under.
    public let id: String
    /// `key` or `team`.
    public let kind: String
    /// The key's or team's own id.
    public let ownerID: String
    public let name: String
    public let limits: UsageLimits

    init(kind: String, ownerID: String, name: String, limits: UsageLimits) {
        id = kind + ":" + ownerID
        self.kind = kind
        self.ownerID = ownerID
        self.name = name
        self.limits = limits
    }

    /// How a refusal names the scope: `key 'ci'`.
    public var label: String { "\(kind) '\(name)'" }
}
