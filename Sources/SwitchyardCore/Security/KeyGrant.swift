import Foundation
import Synchronization

/// A virtual key in force, with the team it belongs to.
///
/// A class: every request carries its caller's grant through each middleware and into its journal, and one
/// reference is cheaper to copy than the key's and team's many fields.
public final class KeyGrant: Sendable, Equatable {
    public let key: VirtualKey
    public let team: Team?
    /// The key, then its team: what limits, budgets and spend are counted against. Worked out once per key, not
    /// per request.
    public let scopes: [GrantScope]
    /// The scopes that set a rate limit.
    public let limitScopes: [GrantScope]
    /// The guardrails the key and its team add to every request, key's first, each named once.
    public let guardrails: [String]

    public init(key: VirtualKey, team: Team?) {
        self.key = key
        self.team = team
        var scopes = [GrantScope(kind: "key", ownerID: key.id, name: key.name, limits: key.limits)]
        if let team { scopes.append(GrantScope(kind: "team", ownerID: team.id, name: team.name, limits: team.limits)) }
        self.scopes = scopes
        limitScopes = scopes.filter { $0.limits.rpm != nil || $0.limits.tpm != nil || $0.limits.maxParallel != nil }
        var guardrails = key.guardrails
        for name in team?.guardrails ?? [] where !guardrails.contains(name) { guardrails.append(name) }
        self.guardrails = guardrails
    }

    public static func == (left: KeyGrant, right: KeyGrant) -> Bool {
        left === right || (left.key == right.key && left.team == right.team)
    }

    /// A model is allowed when both the key and its team allow it.
    public func allows(model: String) -> Bool {
        guard key.allows(model: model) else { return false }
        guard let models = team?.models else { return true }
        return models.contains { $0.hasSuffix("*") ? model.hasPrefix($0.dropLast()) : $0 == model }
    }
}
