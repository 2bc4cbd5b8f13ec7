/// Where keys and teams are kept.
public protocol KeyStore: Sendable {
    func insert(_ key: VirtualKey) async throws
    /// Every key not deleted, expired ones included (expiry is checked when a key is used).
    func activeKeys() async throws -> [VirtualKey]
    /// A number that changes whenever a key or team is created, changed or deleted (through any replica): a cheap
    /// check for whether the active keys need reading again.
    func keysRevision() async throws -> Int
    func key(id: String) async throws -> VirtualKey?
    /// Replaces an active key's settings and digest (an update or a rotation); false when there was no such key.
    func update(_ key: VirtualKey) async throws -> Bool
    /// Marks the key deleted; false when there was no such active key.
    func deleteKey(id: String) async throws -> Bool

    func insert(_ team: Team) async throws
    func teams() async throws -> [Team]
    func team(id: String) async throws -> Team?
    /// Replaces an active team's settings; false when there was no such team.
    func update(_ team: Team) async throws -> Bool
    /// Marks the team deleted, with its keys; false when there was no such team.
    func deleteTeam(id: String) async throws -> Bool
}
