package import Foundation
package import SwitchyardCore
import SwitchyardPrompts
package import SwitchyardWire

/// The admin API's use cases for prompts: versions, lifecycle, visibility, subscriptions, each change recorded in
/// the prompt's history with who made it and when.
package struct PromptAdministration: Sendable {
    let store: any PromptStore
    let catalog: ModelCatalog
    /// Team ids that exist, to check `teams` against; nil checks nothing.
    let teamExists: (@Sendable (String) async throws -> Bool)?

    package init(store: any PromptStore, catalog: ModelCatalog, teamExists: (@Sendable (String) async throws -> Bool)? = nil) {
        self.store = store
        self.catalog = catalog
        self.teamExists = teamExists
    }

    /// The lifecycle fields `POST /admin/prompts` takes besides the definition.
    static let lifecycleFields: Set<String> = ["name", "visibility", "teams", "subscription_required"]

    /// Adds the next version of the prompt the body names (its first makes the prompt, as a draft) and makes it the
    /// active one; the body's `visibility`, `teams` and `subscription_required` change the prompt's.
    package func addVersion(_ body: JSONValue, actor: String, now: Date = Date()) async throws -> (StoredPrompt, StoredPromptVersion) {
        guard case .object(let fields) = body else { throw GatewayError.badRequest("The request body must be a JSON object.") }
        let allowed = PromptDefinition.fields.union(Self.lifecycleFields)
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw GatewayError.badRequest("Unknown field '\(unknown)'; expected some of: \(allowed.sorted().joined(separator: ", ")).", param: unknown)
        }
        guard let name = fields["name"]?.string, PromptDefinition.isValidName(name) else {
            throw GatewayError.badRequest(
                "'name' is required: 1 to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.", param: "name")
        }
        let definition = try PromptDefinition(json: body)
        guard catalog.contains(definition.model) else {
            throw GatewayError.badRequest("No model named '\(definition.model)' is configured.", param: "model")
        }
        var prompt = try await store.prompt(name: name)
            ?? StoredPrompt(name: name, state: .draft, activeVersion: 0, createdAt: now, updatedAt: now)
        let isNew = prompt.activeVersion == 0
        try await applyAccess(fields, to: &prompt)
        let stored = try await store.addPromptVersion(definition.json, to: prompt, createdBy: actor, at: now)
        if isNew { try await store.appendPromptEvent(PromptEvent(prompt: name, action: "created", actor: actor, time: now)) }
        try await store.appendPromptEvent(PromptEvent(prompt: name, action: "version_added", version: stored.activeVersion, actor: actor, time: now))
        if !isNew, stored.visibility != prompt.visibility || stored.teams != prompt.teams || stored.subscriptionRequired != prompt.subscriptionRequired {
            prompt.activeVersion = stored.activeVersion
            _ = try await store.update(prompt)
            try await store.appendPromptEvent(
                PromptEvent(prompt: name, action: "access_changed", actor: actor, time: now, detail: Self.accessDetail(prompt)))
        }
        let updated = try await store.prompt(name: name) ?? stored
        let version = StoredPromptVersion(prompt: name, version: stored.activeVersion, definition: definition.json, createdBy: actor, createdAt: now)
        return (updated, version)
    }

    package func prompts() async throws -> [StoredPrompt] { try await store.prompts() }

    /// The prompt and its versions, oldest first.
    package func prompt(_ name: String) async throws -> (StoredPrompt, [StoredPromptVersion]) {
        let prompt = try await existing(name)
        return (prompt, try await store.promptVersions(name: name))
    }

    /// Makes `version` the one runs get (a rollback, when it is an older one).
    package func activate(_ name: String, _ body: JSONValue, actor: String, now: Date = Date()) async throws -> StoredPrompt {
        var prompt = try await existing(name)
        guard let version = try PromptVersionNumber.parse(body["version"], param: "version") else {
            throw GatewayError.badRequest("'version' is required.", param: "version")
        }
        guard try await store.promptVersion(name: name, version: version) != nil else {
            throw GatewayError(status: 404, kind: .notFound, code: "not_found", message: "Prompt '\(name)' has no version \(version).", param: "version")
        }
        prompt.activeVersion = version
        prompt.updatedAt = now
        _ = try await store.update(prompt)
        try await store.appendPromptEvent(PromptEvent(prompt: name, action: "activated", version: version, actor: actor, time: now))
        return prompt
    }

    /// Moves the prompt along its lifecycle: `published` from draft or deprecated, `deprecated` from published (the
    /// body may give a `sunset` date), `retired` from any state but retired, which is final.
    /// - Throws: 409 for a move its state does not allow.
    package func move(_ name: String, to state: StoredPrompt.State, _ body: JSONValue, actor: String, now: Date = Date()) async throws -> StoredPrompt {
        var prompt = try await existing(name)
        let allowed: Set<StoredPrompt.State> =
            switch state {
            case .published: [.draft, .deprecated, .published]
            case .deprecated: [.published, .deprecated]
            case .retired: [.draft, .published, .deprecated]
            case .draft: []
            }
        guard allowed.contains(prompt.state) else {
            throw GatewayError.conflict("Prompt '\(name)' is \(prompt.state.rawValue); it cannot be made \(state.rawValue).")
        }
        var detail: String?
        if state == .deprecated, let sunset = body["sunset"], !sunset.isNull {
            guard let text = sunset.string, let date = ISO8601Input.date(text) else {
                throw GatewayError.badRequest("'sunset' must be an ISO-8601 date or date-time.", param: "sunset")
            }
            prompt.sunset = date
            detail = "sunset \(text)"
        }
        if state == .published { prompt.sunset = nil }
        prompt.state = state
        prompt.updatedAt = now
        _ = try await store.update(prompt)
        try await store.appendPromptEvent(PromptEvent(prompt: name, action: state.rawValue, actor: actor, time: now, detail: detail))
        return prompt
    }

    /// What changed from version `from` to version `to`.
    package func diff(_ name: String, from: Int, to: Int) async throws -> JSONValue {
        _ = try await existing(name)
        guard let old = try await store.promptVersion(name: name, version: from) else {
            throw GatewayError(status: 404, kind: .notFound, code: "not_found", message: "Prompt '\(name)' has no version \(from).", param: "from")
        }
        guard let new = try await store.promptVersion(name: name, version: to) else {
            throw GatewayError(status: 404, kind: .notFound, code: "not_found", message: "Prompt '\(name)' has no version \(to).", param: "to")
        }
        return PromptDiff.between(old.definition, new.definition, from: from, to: to)
    }

    /// Every change to the prompt, oldest first.
    package func history(_ name: String) async throws -> [PromptEvent] {
        _ = try await existing(name)
        return try await store.promptEvents(name: name)
    }

    package func subscriptions(status: PromptSubscription.Status?) async throws -> [PromptSubscription] {
        try await store.subscriptions(status: status)
    }

    /// Approves or rejects a subscription (a decision may be changed later).
    package func decide(_ id: String, approve: Bool, actor: String, now: Date = Date()) async throws -> PromptSubscription {
        guard id.isStorableName, var subscription = try await store.subscription(id: id) else {
            throw GatewayError.notFound("No subscription with id '\(id)'.")
        }
        subscription.status = approve ? .approved : .rejected
        subscription.decidedAt = now
        _ = try await store.update(subscription)
        try await store.appendPromptEvent(
            PromptEvent(
                prompt: subscription.prompt, action: approve ? "subscription_approved" : "subscription_rejected", actor: actor, time: now,
                detail: "team \(subscription.teamID)"))
        return subscription
    }

    // MARK: Helpers

    private func existing(_ name: String) async throws -> StoredPrompt {
        guard name.isStorableName, let prompt = try await store.prompt(name: name) else { throw GatewayError.notFound("No prompt named '\(name)'.") }
        return prompt
    }

    private func applyAccess(_ fields: [String: JSONValue], to prompt: inout StoredPrompt) async throws {
        if let value = fields["visibility"], !value.isNull {
            guard let text = value.string, let visibility = StoredPrompt.Visibility(rawValue: text) else {
                throw GatewayError.badRequest("'visibility' must be all or teams.", param: "visibility")
            }
            prompt.visibility = visibility
        }
        if let value = fields["teams"], !value.isNull {
            guard let items = value.array, items.allSatisfy({ !($0.string ?? "").isEmpty }) else {
                throw GatewayError.badRequest("'teams' must be an array of team ids.", param: "teams")
            }
            let teams = items.compactMap(\.string)
            if let teamExists {
                for team in teams where try await !teamExists(team) { throw GatewayError.badRequest("No team with id '\(team)'.", param: "teams") }
            }
            prompt.teams = teams
        }
        if let value = fields["subscription_required"], !value.isNull {
            guard let flag = value.bool else { throw GatewayError.badRequest("'subscription_required' must be true or false.", param: "subscription_required") }
            prompt.subscriptionRequired = flag
        }
    }

    private static func accessDetail(_ prompt: StoredPrompt) -> String {
        "visibility \(prompt.visibility.rawValue)" + (prompt.visibility == .teams ? " (\(prompt.teams.joined(separator: ", ")))" : "")
            + (prompt.subscriptionRequired ? ", subscription required" : "")
    }
}
