import Foundation
import Synchronization

/// Who is calling.
public enum Caller: Sendable, Equatable {
    /// The holder of the master key: every model, and the admin API.
    case master
    /// A virtual key, with its team.
    case virtualKey(KeyGrant)

    /// The caller for a call the gateway makes on its behalf (an embedding or a summary a feature needs): counted
    /// against the same limits, budgets and spend, but not held to the key's or team's model list.
    public var onGatewaysBehalf: Caller {
        guard case .virtualKey(let grant) = self else { return self }
        var key = grant.key
        key.models = nil
        var team = grant.team
        team?.models = nil
        return .virtualKey(KeyGrant(key: key, team: team))
    }

    /// - Throws: 403 when this caller may not use `model`.
    public func authorize(model: String) throws(GatewayError) {
        if case .virtualKey(let grant) = self, !grant.allows(model: model) { throw .forbiddenModel(model) }
    }

    /// The guardrails the caller's key and team add to every request (none for the master key).
    public var guardrails: [String] {
        guard case .virtualKey(let grant) = self else { return [] }
        return grant.guardrails
    }

    /// Whether this caller may use `model`.
    public func allows(model: String) -> Bool {
        if case .virtualKey(let grant) = self { return grant.allows(model: model) }
        return true
    }
}

extension Optional where Wrapped == Caller {
    /// The tenant whose stored objects (responses, cached answers) a caller owns: `team:<id>` for a key of a team,
    /// `key:<id>` for a key without one, `master` for the master key (nil: a request without a caller is the
    /// operator's).
    public var tenantScope: String {
        guard case .virtualKey(let grant)? = self else { return "master" }
        if let team = grant.team { return "team:" + team.id }
        return "key:" + grant.key.id
    }

    /// The tenant whose stored objects a caller may read, change and delete: its own; any tenant's (nil) for the
    /// master key, which is the operator's.
    public var tenantReadScope: String? {
        guard case .virtualKey? = self else { return nil }
        return tenantScope
    }
}
