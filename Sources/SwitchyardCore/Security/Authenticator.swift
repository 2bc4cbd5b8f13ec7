import Foundation
import Synchronization

/// Who is calling.
public enum Caller: Sendable, Equatable {
    /// The holder of the master key: every model, and the admin API.
    case master
    /// A virtual key, with its team.
    case virtualKey(KeyGrant)

    /// - Throws: 403 when this caller may not use `model`.
    public func authorize(model: String) throws(GatewayError) {
        if case .virtualKey(let grant) = self, !grant.allows(model: model) { throw .forbiddenModel(model) }
    }

    /// Whether this caller may use `model`.
    public func allows(model: String) -> Bool {
        if case .virtualKey(let grant) = self { return grant.allows(model: model) }
        return true
    }
}

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

    public init(key: VirtualKey, team: Team?) {
        self.key = key
        self.team = team
        var scopes = [GrantScope(kind: "key", ownerID: key.id, name: key.name, limits: key.limits)]
        if let team { scopes.append(GrantScope(kind: "team", ownerID: team.id, name: team.name, limits: team.limits)) }
        self.scopes = scopes
        limitScopes = scopes.filter { $0.limits.rpm != nil || $0.limits.tpm != nil || $0.limits.maxParallel != nil }
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

/// The keys in force, looked up by digest in memory: no database round trip per request. Refreshed from storage
/// every second (and at once after a change made through this replica), so a deleted key stops working within a
/// second on every replica.
public final class KeyDirectory: Sendable {
    private struct Table {
        var grants: [SecretDigest: KeyGrant] = [:]
        /// The ticket of the load the table came from.
        var ticket: UInt64 = 0
        /// The store's key revision read before that load.
        var revision: Int?
        /// When storage last confirmed the table (a load, or a check that found nothing changed).
        var verifiedAt = ContinuousClock.now
        /// `key:<id>` and `team:<id>` of every key and team loaded.
        var scopes: Set<String> = []
        /// Scopes that loads removed, not yet taken by ``KeyDirectory/takeRemovedScopes()``.
        var removed: Set<String> = []
    }

    private let table = Mutex(Table())
    /// Numbers loads in the order they start.
    private let tickets = Atomic<UInt64>(0)

    public init() {}

    /// Loads every active key and team from `store`. Of two loads that overlap, the one that started last wins:
    /// a periodic reload that read the store before a key was created cannot hide that key when it finishes later.
    public func refresh(from store: any KeyStore) async throws {
        try await load(from: store, revision: store.keysRevision())
    }

    /// Loads the keys again only when the store's key revision moved since the last load: the periodic check,
    /// one small read when nothing changed.
    public func refreshIfChanged(from store: any KeyStore) async throws {
        let revision = try await store.keysRevision()
        let now = ContinuousClock.now
        let unchanged = table.withLock { table in
            guard table.revision == revision else { return false }
            table.verifiedAt = max(table.verifiedAt, now)
            return true
        }
        if unchanged { return }
        try await load(from: store, revision: revision)
    }

    /// How long since storage last confirmed the keys.
    public func staleness(at now: ContinuousClock.Instant = .now) -> Duration {
        now - table.withLock { $0.verifiedAt }
    }

    /// The scopes in force, as limits and spend name them: `key:<id>` for every key, `team:<id>` for every team.
    public func activeScopes() -> Set<String> {
        table.withLock { $0.scopes }
    }

    /// The scopes (keys and teams) that reloads removed since the last call: what the limit, spend and metric
    /// tables should forget.
    public func takeRemovedScopes() -> Set<String> {
        table.withLock { table in
            defer { table.removed = [] }
            return table.removed
        }
    }

    /// `revision` is read before the keys, so a change made while they load moves it on and the next check
    /// loads again.
    private func load(from store: any KeyStore, revision: Int) async throws {
        let started = ContinuousClock.now
        let ticket = tickets.add(1, ordering: .relaxed).newValue
        let keys = try await store.activeKeys()
        let teams = try await store.teams()
        replace(keys: keys, teams: teams, ticket: ticket, revision: revision, verifiedAt: started)
    }

    /// Replaces the directory with `keys` and their `teams`, unless a later load already did; keys of a missing
    /// (deleted) team are left out.
    private func replace(keys: [VirtualKey], teams: [Team], ticket: UInt64, revision: Int, verifiedAt: ContinuousClock.Instant) {
        let teamsByID = Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var grants: [SecretDigest: KeyGrant] = [:]
        for key in keys {
            if let teamID = key.teamID, teamsByID[teamID] == nil { continue }
            grants[key.digest] = KeyGrant(key: key, team: key.teamID.flatMap { teamsByID[$0] })
        }
        table.withLock { table in
            guard ticket > table.ticket else { return }
            let scopes = Set(keys.map { "key:" + $0.id } + teams.map { "team:" + $0.id })
            table = Table(
                grants: grants, ticket: ticket, revision: revision, verifiedAt: max(table.verifiedAt, verifiedAt), scopes: scopes,
                removed: table.removed.subtracting(scopes).union(table.scopes.subtracting(scopes)))
        }
    }

    /// The key with `digest` and when storage last confirmed the keys, read together.
    func verifiedGrant(for digest: SecretDigest) -> (grant: KeyGrant?, verifiedAt: ContinuousClock.Instant) {
        table.withLock { ($0.grants[digest], $0.verifiedAt) }
    }

    public var count: Int { table.withLock { $0.grants.count } }
}

/// Decides whether a presented key is accepted.
public struct Authenticator: Sendable {
    private let masterKey: SecretDigest
    private let directory: KeyDirectory
    /// How long keys are trusted without storage confirming them; past it, virtual keys are refused (fail
    /// closed: a deleted or rotated key must not keep working on a replica cut off from the database).
    private let maxStaleness: Duration

    public init(masterKey: SecretDigest, directory: KeyDirectory = KeyDirectory(), maxStaleness: Duration = .seconds(300)) {
        self.masterKey = masterKey
        self.directory = directory
        self.maxStaleness = maxStaleness
    }

    /// The caller behind `key`.
    /// - Throws: 401 ``GatewayError`` when no key was sent, or the key is unknown, deleted or expired; 503 for a
    ///   virtual key when storage has not confirmed the keys for longer than the staleness allowed.
    public func authenticate(
        _ key: (some StringProtocol)?, now: Date = Date(), at instant: ContinuousClock.Instant = .now
    ) throws(GatewayError) -> Caller {
        guard let key, !key.isEmpty else { throw .missingKey() }
        let digest = SecretDigest(of: key)
        if masterKey.matches(digest) { return .master }
        let (found, verifiedAt) = directory.verifiedGrant(for: digest)
        if instant - verifiedAt > maxStaleness {
            var error = GatewayError(
                status: 503, kind: .api, code: "keys_unverified",
                message: "This gateway replica cannot reach its storage to verify API keys; virtual keys are refused until it can.")
            error.retryAfterSeconds = 5
            throw error
        }
        guard let grant = found else { throw .invalidKey() }
        if let expiry = grant.key.expiresAt, expiry <= now {
            throw GatewayError(status: 401, kind: .authentication, code: "expired_api_key", message: "The API key expired.")
        }
        return .virtualKey(grant)
    }
}
