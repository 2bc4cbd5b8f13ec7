public import Foundation
public import SwitchyardWire

/// Where prompts, their versions, subscriptions and history are kept.
public protocol PromptStore: Sendable {
    func prompt(name: String) async throws -> StoredPrompt?
    /// Every prompt, by name.
    func prompts() async throws -> [StoredPrompt]
    /// The prompt's versions, oldest first.
    func promptVersions(name: String) async throws -> [StoredPromptVersion]
    func promptVersion(name: String, version: Int) async throws -> StoredPromptVersion?
    /// Adds the prompt's next version, `definition`, and makes it the active one, in one transaction; makes the
    /// prompt as `prompt` (state, visibility ...) when there is none by its name. Returns the prompt as stored after.
    func addPromptVersion(_ definition: JSONValue, to prompt: StoredPrompt, createdBy: String, at time: Date) async throws -> StoredPrompt
    /// Makes a prompt from the configuration file: the prompt as `prompt` when there is none by its name (one that
    /// exists keeps its state), and its version 1 as `definition` (replacing what was there).
    func seedPrompt(_ prompt: StoredPrompt, definition: JSONValue) async throws
    /// Replaces the prompt's state, active version, visibility, teams, subscription flag and sunset; false when
    /// there is no such prompt.
    func update(_ prompt: StoredPrompt) async throws -> Bool
    func appendPromptEvent(_ event: PromptEvent) async throws
    /// The prompt's history, oldest first.
    func promptEvents(name: String) async throws -> [PromptEvent]

    func insert(_ subscription: PromptSubscription) async throws
    /// Subscriptions, oldest first; those with `status` only, when given.
    func subscriptions(status: PromptSubscription.Status?) async throws -> [PromptSubscription]
    func subscription(id: String) async throws -> PromptSubscription?
    /// The team's subscription to the prompt, if it asked for one.
    func subscription(prompt: String, teamID: String) async throws -> PromptSubscription?
    /// Replaces a subscription's status and decision time; false when there is no such subscription.
    func update(_ subscription: PromptSubscription) async throws -> Bool
}
