import Foundation
import Synchronization

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

    /// The grant of the active key `keyID`, for work done later on its behalf; nil when it is gone.
    public func grant(keyID: String) -> KeyGrant? {
        table.withLock { table in table.grants.values.first { $0.key.id == keyID } }
    }
}
