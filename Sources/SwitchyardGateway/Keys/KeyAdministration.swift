package import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// The admin API's use cases for keys and teams: validate, store, and make the change effective at once on this
/// replica (other replicas pick it up within a second).
package struct KeyAdministration: Sendable {
    let store: any KeyStore & UsageStore
    let directory: KeyDirectory
    let spend: SpendLedger
    /// The configured guardrails' names: a key or team may name only these.
    let guardrailNames: Set<String>

    package init(store: any KeyStore & UsageStore, directory: KeyDirectory, spend: SpendLedger, guardrailNames: Set<String> = []) {
        self.store = store
        self.directory = directory
        self.spend = spend
        self.guardrailNames = guardrailNames
    }

    /// What the key spent in its current budget period (since it was made, without a period).
    package func spent(by key: VirtualKey) -> Double { spend.spent("key:" + key.id, limits: key.limits) }

    /// What the team spent in its current budget period.
    package func spent(by team: Team) -> Double { spend.spent("team:" + team.id, limits: team.limits) }

    /// Usage totals, as `GET /admin/usage` asks for them.
    package func usage(_ query: UsageQuery) async throws -> [UsageTotals] { try await store.totals(query) }

    static let keyFields: Set<String> = [
        "name", "models", "rpm", "tpm", "max_parallel", "max_budget_usd", "soft_budget_usd", "token_quota", "budget_period", "expires_at", "team", "metadata",
        "guardrails",
    ]
    static let teamFields: Set<String> = [
        "name", "models", "rpm", "tpm", "max_parallel", "max_budget_usd", "soft_budget_usd", "token_quota", "budget_period", "guardrails",
    ]

    /// Creates a key from an admin request body; returns it with its secret, which is not kept.
    package func createKey(_ body: JSONValue, now: Date = Date()) async throws -> (key: VirtualKey, secret: String) {
        let fields = try AdminFields(body, allowed: Self.keyFields)
        let name = try fields.name()
        let teamID = try fields.string("team")
        if let teamID, try await store.team(id: teamID) == nil {
            throw GatewayError.badRequest("No team with id '\(teamID)'.", param: "team")
        }
        let expiresAt = try fields.date("expires_at")
        if let expiresAt, expiresAt <= now { throw GatewayError.badRequest("'expires_at' is in the past.", param: "expires_at") }
        let secret = SecretGenerator.makeKey()
        let key = VirtualKey(
            id: "key_" + Self.randomID(), name: name, prefix: String(secret.prefix(10)), digest: SecretDigest(of: secret), teamID: teamID,
            models: try fields.models(), limits: try fields.limits(), expiresAt: expiresAt, metadata: try fields.metadata(), createdAt: now,
            guardrails: try fields.guardrails(known: guardrailNames))
        try await store.insert(key)
        try await directory.refresh(from: store)
        return (key, secret)
    }

    package func keys() async throws -> [VirtualKey] { try await store.activeKeys() }

    package func key(id: String) async throws -> VirtualKey {
        guard let key = try await store.key(id: id) else { throw GatewayError.notFound("No key with id '\(id)'.") }
        return key
    }

    /// Changes the fields the body names; the others keep their values (`null` clears one).
    package func updateKey(id: String, _ body: JSONValue, now: Date = Date()) async throws -> VirtualKey {
        var key = try await key(id: id)
        let fields = try AdminFields(body, allowed: Self.keyFields)
        if fields.fields["name"] != nil { key.name = try fields.name() }
        if fields.fields["models"] != nil { key.models = try fields.models() }
        if fields.fields["team"] != nil {
            let teamID = try fields.string("team")
            if let teamID, try await store.team(id: teamID) == nil {
                throw GatewayError.badRequest("No team with id '\(teamID)'.", param: "team")
            }
            key.teamID = teamID
        }
        if fields.fields["expires_at"] != nil {
            let expiresAt = try fields.date("expires_at")
            if let expiresAt, expiresAt <= now { throw GatewayError.badRequest("'expires_at' is in the past.", param: "expires_at") }
            key.expiresAt = expiresAt
        }
        if fields.fields["metadata"] != nil { key.metadata = try fields.metadata() }
        if fields.fields["guardrails"] != nil { key.guardrails = try fields.guardrails(known: guardrailNames) }
        key.limits = try fields.updatedLimits(key.limits)
        guard try await store.update(key) else { throw GatewayError.notFound("No key with id '\(id)'.") }
        try await directory.refresh(from: store)
        return key
    }

    /// Gives the key a new secret; the old one stops working at once here, within a second on other replicas.
    package func rotateKey(id: String) async throws -> (key: VirtualKey, secret: String) {
        var key = try await key(id: id)
        let secret = SecretGenerator.makeKey()
        key.digest = SecretDigest(of: secret)
        key.prefix = String(secret.prefix(10))
        guard try await store.update(key) else { throw GatewayError.notFound("No key with id '\(id)'.") }
        try await directory.refresh(from: store)
        return (key, secret)
    }

    package func deleteKey(id: String) async throws {
        guard try await store.deleteKey(id: id) else { throw GatewayError.notFound("No key with id '\(id)'.") }
        try await directory.refresh(from: store)
    }

    package func createTeam(_ body: JSONValue, now: Date = Date()) async throws -> Team {
        let fields = try AdminFields(body, allowed: Self.teamFields)
        let team = Team(
            id: "team_" + Self.randomID(), name: try fields.name(), models: try fields.models(), limits: try fields.limits(), createdAt: now,
            guardrails: try fields.guardrails(known: guardrailNames))
        try await store.insert(team)
        try await directory.refresh(from: store)
        return team
    }

    /// Changes the fields the body names; the others keep their values (`null` clears one). The team's keys follow
    /// at once here, within a second on other replicas.
    package func updateTeam(id: String, _ body: JSONValue) async throws -> Team {
        var team = try await team(id: id)
        let fields = try AdminFields(body, allowed: Self.teamFields)
        if fields.fields["name"] != nil { team.name = try fields.name() }
        if fields.fields["models"] != nil { team.models = try fields.models() }
        if fields.fields["guardrails"] != nil { team.guardrails = try fields.guardrails(known: guardrailNames) }
        team.limits = try fields.updatedLimits(team.limits)
        guard try await store.update(team) else { throw GatewayError.notFound("No team with id '\(id)'.") }
        try await directory.refresh(from: store)
        return team
    }

    package func teams() async throws -> [Team] { try await store.teams() }

    package func team(id: String) async throws -> Team {
        guard let team = try await store.team(id: id) else { throw GatewayError.notFound("No team with id '\(id)'.") }
        return team
    }

    /// Deletes the team and its keys.
    package func deleteTeam(id: String) async throws {
        guard try await store.deleteTeam(id: id) else { throw GatewayError.notFound("No team with id '\(id)'.") }
        try await directory.refresh(from: store)
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", generator.next() as UInt64)
    }
}

/// The fields of an admin request body, read strictly: wrong types, unknown fields and negative limits are 400s
/// naming the field.
struct AdminFields {
    let fields: [String: JSONValue]

    init(_ body: JSONValue, allowed: Set<String>) throws(GatewayError) {
        guard let fields = body.object else { throw .badRequest("The request body must be a JSON object.") }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .badRequest("Unknown field '\(unknown)'; expected some of: \(allowed.sorted().joined(separator: ", ")).", param: unknown)
        }
        self.fields = fields
    }

    func name() throws(GatewayError) -> String {
        guard let name = try string("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badRequest("'name' is required.", param: "name")
        }
        guard name.count <= 200 else { throw .badRequest("'name' must be at most 200 characters.", param: "name") }
        return name
    }

    func string(_ key: String) throws(GatewayError) -> String? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard let text = value.string else { throw .badRequest("'\(key)' must be a string.", param: key) }
        return text
    }

    func models() throws(GatewayError) -> [String]? {
        guard let value = fields["models"], !value.isNull else { return nil }
        guard let items = value.array, items.allSatisfy({ !($0.string ?? "").isEmpty }) else {
            throw .badRequest("'models' must be an array of model names.", param: "models")
        }
        return items.compactMap(\.string)
    }

    func limits() throws(GatewayError) -> UsageLimits {
        var limits = UsageLimits()
        limits.rpm = try positiveInteger("rpm")
        limits.tpm = try positiveInteger("tpm")
        limits.maxParallel = try positiveInteger("max_parallel")
        limits.tokenQuota = try positiveInteger("token_quota")
        limits.maxBudgetUSD = try dollars("max_budget_usd")
        limits.softBudgetUSD = try dollars("soft_budget_usd")
        if let period = try string("budget_period") {
            guard let value = BudgetPeriod(rawValue: period) else {
                throw .badRequest("'budget_period' must be daily, weekly or monthly.", param: "budget_period")
            }
            limits.budgetPeriod = value
        }
        return limits
    }

    /// `limits` with the limits the body names replaced (`null` clears one).
    func updatedLimits(_ limits: UsageLimits) throws(GatewayError) -> UsageLimits {
        var limits = limits
        let given = try self.limits()
        if fields["rpm"] != nil { limits.rpm = given.rpm }
        if fields["tpm"] != nil { limits.tpm = given.tpm }
        if fields["max_parallel"] != nil { limits.maxParallel = given.maxParallel }
        if fields["max_budget_usd"] != nil { limits.maxBudgetUSD = given.maxBudgetUSD }
        if fields["soft_budget_usd"] != nil { limits.softBudgetUSD = given.softBudgetUSD }
        if fields["token_quota"] != nil { limits.tokenQuota = given.tokenQuota }
        if fields["budget_period"] != nil { limits.budgetPeriod = given.budgetPeriod }
        return limits
    }

    /// `guardrails`: configured guardrails by name, each once; `null` or absent for none.
    func guardrails(known: Set<String>) throws(GatewayError) -> [String] {
        guard let value = fields["guardrails"], !value.isNull else { return [] }
        guard let items = value.array, items.allSatisfy({ $0.string != nil }) else {
            throw .badRequest("'guardrails' must be an array of guardrail names.", param: "guardrails")
        }
        var names: [String] = []
        for name in items.compactMap(\.string) where !names.contains(name) {
            guard known.contains(name) else {
                let configured = known.isEmpty ? "none are configured" : "configured: \(known.sorted().joined(separator: ", "))"
                throw .badRequest("No guardrail named '\(name)' (\(configured)).", param: "guardrails")
            }
            names.append(name)
        }
        return names
    }

    func dollars(_ key: String) throws(GatewayError) -> Double? {
        guard let value = fields[key], !value.isNull else { return nil }
        let amount: Double?
        switch value {
        case .integer(let number): amount = Double(number)
        case .number(let number): amount = number
        default: amount = nil
        }
        guard let amount, amount >= 0, amount <= 1e12 else { throw .badRequest("'\(key)' must be a number from 0 to 1e12.", param: key) }
        return amount
    }

    /// The largest limit accepted: far beyond any real rate or quota, far below where arithmetic on it overflows.
    static let maximumLimit = 1_000_000_000_000

    func positiveInteger(_ key: String) throws(GatewayError) -> Int? {
        guard let value = fields[key], !value.isNull else { return nil }
        guard case .integer(let number) = value, number > 0, number <= Self.maximumLimit, let integer = Int(exactly: number) else {
            throw .badRequest("'\(key)' must be a whole number from 1 to \(Self.maximumLimit).", param: key)
        }
        return integer
    }

    func date(_ key: String) throws(GatewayError) -> Date? {
        guard let text = try string(key) else { return nil }
        if let date = ISO8601Input.date(text) { return date }
        throw .badRequest("'\(key)' must be an ISO-8601 date or date-time.", param: key)
    }

    func metadata() throws(GatewayError) -> [String: String] {
        guard let value = fields["metadata"], !value.isNull else { return [:] }
        guard let object = value.object else { throw .badRequest("'metadata' must be an object of strings.", param: "metadata") }
        var metadata: [String: String] = [:]
        for (key, entry) in object {
            guard let text = entry.string else { throw .badRequest("'metadata.\(key)' must be a string.", param: "metadata") }
            metadata[key] = text
        }
        return metadata
    }
}
