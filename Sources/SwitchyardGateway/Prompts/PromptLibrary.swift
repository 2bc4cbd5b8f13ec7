package import Foundation
package import SwitchyardCore
package import SwitchyardPrompts
package import SwitchyardWire

/// Prompt templates served as endpoints: who may run which prompt at which version, and the requests its runs
/// make. Versions, lifecycle and subscriptions are changed through `PromptAdministration`.
package struct PromptLibrary: Sendable {
    let store: any PromptStore

    package init(store: any PromptStore) {
        self.store = store
    }

    /// A prompt version a caller may run.
    package struct Run: Sendable {
        package var prompt: StoredPrompt
        package var version: Int
        package var definition: PromptDefinition
        /// When a deprecated prompt was deprecated.
        package var deprecatedAt: Date?
    }

    /// Makes the prompts of the configuration file: each a published prompt (one that exists keeps its state) whose
    /// version 1 is the file's definition, recorded in its history when it is new or changed. A name already taken
    /// by a prompt made through the admin API keeps that prompt (its versions never change).
    /// - Returns: the names of the file's prompts left out for that reason.
    package func seed(_ configured: [(name: String, definition: JSONValue)], now: Date = Date()) async throws -> [String] {
        var skipped: [String] = []
        for prompt in configured {
            let existing = try await store.prompt(name: prompt.name)
            if let existing, !existing.configured {
                skipped.append(prompt.name)
                continue
            }
            let previous = existing == nil ? nil : try await store.promptVersion(name: prompt.name, version: 1)
            if previous?.definition == prompt.definition { continue }
            try await store.seedPrompt(
                StoredPrompt(name: prompt.name, state: .published, activeVersion: 1, configured: true, createdAt: now, updatedAt: now),
                definition: prompt.definition)
            if existing == nil {
                try await store.appendPromptEvent(PromptEvent(prompt: prompt.name, action: "created", actor: "config", time: now))
                try await store.appendPromptEvent(PromptEvent(prompt: prompt.name, action: "version_added", version: 1, actor: "config", time: now))
            } else {
                try await store.appendPromptEvent(
                    PromptEvent(prompt: prompt.name, action: "version_replaced", version: 1, actor: "config", time: now, detail: "the configuration file changed"))
            }
        }
        return skipped
    }

    /// The prompt `name` at `version` (its active version when nil), if `caller` may run it.
    /// - Throws: 404 for a prompt that does not exist or that the caller may not see (a draft, for anyone but the
    ///   master key; a prompt shown to other teams), 410 for a retired one, 403 `subscription_required` when the
    ///   caller's team has no approved subscription to a prompt that requires one, 404 naming `version` for a
    ///   version it does not have.
    package func runnable(_ name: String, version: Int?, caller: Caller?) async throws -> Run {
        let prompt = try await visiblePrompt(name, caller: caller)
        if prompt.state == .retired {
            throw GatewayError(status: 410, kind: .invalidRequest, code: "prompt_retired", message: "Prompt '\(name)' is retired and no longer runs.")
        }
        if prompt.subscriptionRequired, case .virtualKey(let grant)? = caller {
            let approved: Bool
            if let team = grant.team {
                approved = try await store.subscription(prompt: name, teamID: team.id)?.status == .approved
            } else {
                approved = false
            }
            guard approved else {
                throw GatewayError(
                    status: 403, kind: .permission, code: "subscription_required",
                    message: "Prompt '\(name)' requires a subscription: a key of your team asks with POST /v1/prompts/\(name)/subscription, "
                        + "and it runs once an administrator approves it.")
            }
        }
        let number = version ?? prompt.activeVersion
        guard let stored = try await store.promptVersion(name: name, version: number) else {
            throw GatewayError(status: 404, kind: .notFound, code: "not_found", message: "Prompt '\(name)' has no version \(number).", param: "version")
        }
        var run = Run(prompt: prompt, version: number, definition: try PromptDefinition(json: stored.definition))
        if prompt.state == .deprecated {
            run.deprecatedAt = try await store.promptEvents(name: name).last { $0.action == StoredPrompt.State.deprecated.rawValue }?.time ?? prompt.updatedAt
        }
        return run
    }

    /// The prompt `name` if `caller` may see it: the master key sees every prompt; a key sees published,
    /// deprecated and retired prompts shown to every team or to its own.
    /// - Throws: 404 otherwise.
    package func visiblePrompt(_ name: String, caller: Caller?) async throws -> StoredPrompt {
        let missing = GatewayError.notFound("No prompt named '\(name)'.")
        guard name.isStorableName, name.utf8.count <= 200, let prompt = try await store.prompt(name: name) else { throw missing }
        guard case .virtualKey(let grant)? = caller else { return prompt }
        if prompt.state == .draft { throw missing }
        if prompt.visibility == .teams, !(grant.team.map { prompt.teams.contains($0.id) } ?? false) { throw missing }
        return prompt
    }

    /// The chat completion request a run of `run` with a request body's `variables` and `stream` makes, with the
    /// `passing` fields added (`user`, `metadata`, `stream_options`).
    /// - Throws: 400 naming the variable that is missing or wrong.
    package func chatRequest(_ run: Run, variables: JSONValue?, stream: Bool, passing: [String: JSONValue] = [:]) throws -> ChatRequest {
        let values = try run.definition.values(variables)
        guard case .object(var request) = run.definition.chatRequest(values: values, stream: stream) else {
            throw GatewayError.badRequest("The prompt could not be made into a request.")
        }
        request.merge(passing) { _, passed in passed }
        return try InboundRequest.chat(JSONValue.object(request).encoded)
    }

    /// A team's key asks to run a prompt that requires a subscription; an asked (or decided) subscription is given
    /// back as it is.
    /// - Returns: the subscription, and whether it was made now.
    /// - Throws: 404 for a prompt the caller may not see, 400 for a caller without a team.
    package func subscribe(_ name: String, caller: Caller?, now: Date = Date()) async throws -> (PromptSubscription, created: Bool) {
        let prompt = try await visiblePrompt(name, caller: caller)
        guard case .virtualKey(let grant)? = caller, let team = grant.team else {
            throw GatewayError.badRequest("A subscription is a team's: ask with a key that belongs to a team.")
        }
        if let existing = try await store.subscription(prompt: prompt.name, teamID: team.id) { return (existing, false) }
        let subscription = PromptSubscription(
            id: "sub_" + KeyAdministration.randomID(), prompt: prompt.name, teamID: team.id, status: .pending, requestedBy: grant.key.id, createdAt: now)
        try await store.insert(subscription)
        try await store.appendPromptEvent(
            PromptEvent(prompt: prompt.name, action: "subscription_requested", actor: grant.key.id, time: now, detail: "team \(team.id)"))
        return (subscription, true)
    }
}
