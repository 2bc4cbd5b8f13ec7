package import Foundation
import SQLKit
package import SwitchyardCore
package import SwitchyardWire

extension SQLGatewayStore {
    // MARK: Prompts

    package func prompt(name: String) async throws -> StoredPrompt? {
        try await Self.storedPrompt(name: name, on: database)
    }

    package func prompts() async throws -> [StoredPrompt] {
        try await database.select().columns(Self.promptColumns).from("prompts").orderBy("name").all().map(Self.storedPrompt(from:))
    }

    package func promptVersions(name: String) async throws -> [StoredPromptVersion] {
        try await database.select().columns(Self.promptVersionColumns).from("prompt_versions").where("prompt", .equal, name)
            .orderBy("version").all().map(Self.storedPromptVersion(from:))
    }

    package func promptVersion(name: String, version: Int) async throws -> StoredPromptVersion? {
        try await database.select().columns(Self.promptVersionColumns).from("prompt_versions").where("prompt", .equal, name)
            .where("version", .equal, version).first().map(Self.storedPromptVersion(from:))
    }

    /// The next version is taken as one more than the greatest stored, inside the insert itself (one statement, so
    /// on SQLite, where ``inTransaction(_:)`` runs statement by statement, no other add comes between). On
    /// PostgreSQL the prompt's row is locked first, so concurrent adds to one prompt take their turns; should two
    /// still pick the same number, the primary key refuses the second, and the whole add is tried again.
    package func addPromptVersion(_ definition: JSONValue, to prompt: StoredPrompt, createdBy: String, at time: Date) async throws -> StoredPrompt {
        let postgres: Bool = if case .postgres = connections { true } else { false }
        let name = prompt.name
        let definitionText = Self.text(definition)
        let now = Self.timestamp(time)
        for attempt in 1...3 {
            do {
                return try await inTransaction { session -> StoredPrompt in
                    try await SQLGatewayStore.insertPromptIfMissing(prompt, on: session)
                    if postgres {
                        _ = try await session.select().column("name").from("prompts").where("name", .equal, name).for(.update).first()
                    }
                    let inserted = try await session.raw(
                        """
                        INSERT INTO prompt_versions (prompt, version, definition, created_by, created_at) \
                        SELECT \(bind: name), COALESCE(MAX(version), 0) + 1, \(bind: definitionText), \(bind: createdBy), \(bind: now) \
                        FROM prompt_versions WHERE prompt = \(bind: name) RETURNING version
                        """
                    ).first(decodingColumn: "version", as: Int.self)
                    guard let version = inserted else { throw GatewayError.conflict("The prompt '\(name)' got no new version; retry.") }
                    // A newer version already active can only be another add's that came between (on SQLite): it stays.
                    try await session.update("prompts").set("active_version", to: version).set("updated_at", to: now)
                        .where("name", .equal, name).where("active_version", .lessThanOrEqual, version).run()
                    guard let stored = try await SQLGatewayStore.storedPrompt(name: name, on: session) else {
                        throw GatewayError.conflict("The prompt '\(name)' was removed while a version was added; retry.")
                    }
                    return stored
                }
            } catch {
                // Another add took the same version number first: take the next one.
                guard attempt < 3 && Self.refusesRows(error) else { throw error }
            }
        }
        throw GatewayError.conflict("The prompt '\(name)' is being changed by others; retry.")
    }

    /// The prompt's row is made only when missing (one that exists keeps its state and active version); version 1
    /// is replaced by the file's definition.
    package func seedPrompt(_ prompt: StoredPrompt, definition: JSONValue) async throws {
        let definitionText = Self.text(definition)
        let time = Self.timestamp(prompt.createdAt)
        try await inTransaction { session -> Void in
            try await SQLGatewayStore.insertPromptIfMissing(prompt, on: session)
            try await session.insert(into: "prompt_versions")
                .columns(SQLGatewayStore.promptVersionColumns)
                .values(SQLBind(prompt.name), SQLBind(1), SQLBind(definitionText), SQLBind("config"), SQLBind(time))
                .onConflict(with: ["prompt", "version"]) { conflict in
                    conflict.set(excludedValueOf: "definition").set(excludedValueOf: "created_by").set(excludedValueOf: "created_at")
                }
                .run()
        }
    }

    /// `updated_at` takes the prompt's `updatedAt` only when it is later than the stored one: a prompt read before
    /// a version was added does not set the time back.
    package func update(_ prompt: StoredPrompt) async throws -> Bool {
        let updatedAt = Self.timestamp(prompt.updatedAt)
        let later: SQLQueryString = "CASE WHEN updated_at < \(bind: updatedAt) THEN \(bind: updatedAt) ELSE updated_at END"
        return try await !database.update("prompts")
            .set("state", to: prompt.state.rawValue).set("active_version", to: prompt.activeVersion)
            .set("visibility", to: prompt.visibility.rawValue).set("teams", to: Self.promptTeamsText(prompt.teams))
            .set("subscription_required", to: prompt.subscriptionRequired ? 1 : 0).set("sunset", to: prompt.sunset.map(Self.timestamp))
            .set("updated_at", to: later)
            .where("name", .equal, prompt.name)
            .returning("name").all().isEmpty
    }

    // MARK: History

    package func appendPromptEvent(_ event: PromptEvent) async throws {
        try await database.insert(into: "prompt_events")
            .columns("prompt", "action", "version", "actor", "time", "detail")
            .values(
                SQLBind(event.prompt), SQLBind(event.action), SQLBind(event.version), SQLBind(event.actor), SQLBind(Self.timestamp(event.time)),
                SQLBind(event.detail))
            .run()
    }

    /// In the order appended: the id grows with each event.
    package func promptEvents(name: String) async throws -> [PromptEvent] {
        try await database.select().columns("prompt", "action", "version", "actor", "time", "detail").from("prompt_events")
            .where("prompt", .equal, name).orderBy("id").all()
            .map { row in
                PromptEvent(
                    prompt: try row.decode(column: "prompt", as: String.self), action: try row.decode(column: "action", as: String.self),
                    version: try row.decode(column: "version", as: Int?.self), actor: try row.decode(column: "actor", as: String.self),
                    time: Self.date(try row.decode(column: "time", as: String.self)) ?? Date(timeIntervalSince1970: 0),
                    detail: try row.decode(column: "detail", as: String?.self))
            }
    }

    // MARK: Subscriptions

    package func insert(_ subscription: PromptSubscription) async throws {
        try await database.insert(into: "prompt_subscriptions")
            .columns(Self.promptSubscriptionColumns)
            .values(
                SQLBind(subscription.id), SQLBind(subscription.prompt), SQLBind(subscription.teamID), SQLBind(subscription.status.rawValue),
                SQLBind(subscription.requestedBy), SQLBind(Self.timestamp(subscription.createdAt)),
                SQLBind(subscription.decidedAt.map(Self.timestamp)))
            .run()
    }

    package func subscriptions(status: PromptSubscription.Status?) async throws -> [PromptSubscription] {
        var select = database.select().columns(Self.promptSubscriptionColumns).from("prompt_subscriptions")
        if let status { select = select.where("status", .equal, status.rawValue) }
        return try await select.orderBy("created_at").orderBy("id").all().map(Self.promptSubscription(from:))
    }

    package func subscription(id: String) async throws -> PromptSubscription? {
        try await database.select().columns(Self.promptSubscriptionColumns).from("prompt_subscriptions").where("id", .equal, id)
            .first().map(Self.promptSubscription(from:))
    }

    /// The newest, should the team have asked more than once.
    package func subscription(prompt: String, teamID: String) async throws -> PromptSubscription? {
        try await database.select().columns(Self.promptSubscriptionColumns).from("prompt_subscriptions")
            .where("prompt", .equal, prompt).where("team_id", .equal, teamID)
            .orderBy("created_at", .descending).orderBy("id", .descending)
            .first().map(Self.promptSubscription(from:))
    }

    package func update(_ subscription: PromptSubscription) async throws -> Bool {
        try await !database.update("prompt_subscriptions")
            .set("status", to: subscription.status.rawValue).set("decided_at", to: subscription.decidedAt.map(Self.timestamp))
            .where("id", .equal, subscription.id)
            .returning("id").all().isEmpty
    }

    // MARK: Rows

    private static let promptColumns = [
        "name", "state", "active_version", "visibility", "teams", "subscription_required", "sunset", "configured", "created_at", "updated_at",
    ]
    private static let promptVersionColumns = ["prompt", "version", "definition", "created_by", "created_at"]
    private static let promptSubscriptionColumns = ["id", "prompt", "team_id", "status", "requested_by", "created_at", "decided_at"]

    /// Inserts `prompt`'s row unless one by its name is there already.
    private static func insertPromptIfMissing(_ prompt: StoredPrompt, on database: any SQLDatabase) async throws {
        try await database.insert(into: "prompts")
            .columns(promptColumns)
            .values(
                SQLBind(prompt.name), SQLBind(prompt.state.rawValue), SQLBind(prompt.activeVersion), SQLBind(prompt.visibility.rawValue),
                SQLBind(promptTeamsText(prompt.teams)), SQLBind(prompt.subscriptionRequired ? 1 : 0), SQLBind(prompt.sunset.map(timestamp)),
                SQLBind(prompt.configured ? 1 : 0), SQLBind(timestamp(prompt.createdAt)), SQLBind(timestamp(prompt.updatedAt)))
            .ignoringConflicts(with: ["name"])
            .run()
    }

    private static func storedPrompt(name: String, on database: any SQLDatabase) async throws -> StoredPrompt? {
        try await database.select().columns(promptColumns).from("prompts").where("name", .equal, name).first().map(storedPrompt(from:))
    }

    private static func promptTeamsText(_ teams: [String]) -> String {
        text(.array(teams.map(JSONValue.string)))
    }

    private static func storedPrompt(from row: any SQLRow) throws -> StoredPrompt {
        let teams = try row.decode(column: "teams", as: String?.self).map { try JSONValue(decoding: $0).array ?? [] } ?? []
        return StoredPrompt(
            name: try row.decode(column: "name", as: String.self),
            state: StoredPrompt.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
            activeVersion: try row.decode(column: "active_version", as: Int.self),
            visibility: StoredPrompt.Visibility(rawValue: try row.decode(column: "visibility", as: String.self)) ?? .teams,
            teams: teams.compactMap(\.string),
            subscriptionRequired: try row.decode(column: "subscription_required", as: Int.self) != 0,
            sunset: try row.decode(column: "sunset", as: String?.self).flatMap(date),
            configured: try row.decode(column: "configured", as: Int.self) != 0,
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            updatedAt: date(try row.decode(column: "updated_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }

    private static func storedPromptVersion(from row: any SQLRow) throws -> StoredPromptVersion {
        StoredPromptVersion(
            prompt: try row.decode(column: "prompt", as: String.self), version: try row.decode(column: "version", as: Int.self),
            definition: try JSONValue(decoding: try row.decode(column: "definition", as: String.self)),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }

    private static func promptSubscription(from row: any SQLRow) throws -> PromptSubscription {
        PromptSubscription(
            id: try row.decode(column: "id", as: String.self), prompt: try row.decode(column: "prompt", as: String.self),
            teamID: try row.decode(column: "team_id", as: String.self),
            status: PromptSubscription.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            requestedBy: try row.decode(column: "requested_by", as: String.self),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            decidedAt: try row.decode(column: "decided_at", as: String?.self).flatMap(date))
    }
}
