import Foundation
import SwitchyardCore
import SwitchyardWire

/// The JSON views of prompts, their versions, subscriptions and history.
enum PromptJSON {
    static func prompt(_ prompt: StoredPrompt) -> [String: JSONValue] {
        [
            "name": .string(prompt.name), "state": .string(prompt.state.rawValue), "active_version": .integer(Int64(prompt.activeVersion)),
            "visibility": .string(prompt.visibility.rawValue), "teams": .array(prompt.teams.map(JSONValue.string)),
            "subscription_required": .bool(prompt.subscriptionRequired), "sunset": prompt.sunset.map { .string($0.ISO8601Format()) } ?? .null,
            "source": .string(prompt.configured ? "config" : "api"), "created_at": .string(prompt.createdAt.ISO8601Format()),
            "updated_at": .string(prompt.updatedAt.ISO8601Format()),
        ]
    }

    /// A prompt with its versions, oldest first.
    static func prompt(_ prompt: StoredPrompt, versions: [StoredPromptVersion]) -> JSONValue {
        var view = self.prompt(prompt)
        view["versions"] = .array(versions.map(version))
        return .object(view)
    }

    /// A prompt with the version just made.
    static func prompt(_ prompt: StoredPrompt, added: StoredPromptVersion) -> JSONValue {
        var view = self.prompt(prompt)
        view["version"] = .integer(Int64(added.version))
        view["definition"] = added.definition
        return .object(view)
    }

    static func version(_ version: StoredPromptVersion) -> JSONValue {
        var view = version.definition.object ?? [:]
        view["version"] = .integer(Int64(version.version))
        view["created_by"] = .string(version.createdBy)
        view["created_at"] = .string(version.createdAt.ISO8601Format())
        return .object(view)
    }

    static func subscription(_ subscription: PromptSubscription) -> JSONValue {
        [
            "id": .string(subscription.id), "prompt": .string(subscription.prompt), "team_id": .string(subscription.teamID),
            "status": .string(subscription.status.rawValue), "requested_by": .string(subscription.requestedBy),
            "created_at": .string(subscription.createdAt.ISO8601Format()),
            "decided_at": subscription.decidedAt.map { .string($0.ISO8601Format()) } ?? .null,
        ]
    }

    static func event(_ event: PromptEvent) -> JSONValue {
        [
            "action": .string(event.action), "version": event.version.map { .integer(Int64($0)) } ?? .null, "actor": .string(event.actor),
            "time": .string(event.time.ISO8601Format()), "detail": event.detail.map(JSONValue.string) ?? .null,
        ]
    }
}
