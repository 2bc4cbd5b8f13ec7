public import Foundation

/// One change to a prompt, kept for its history: what was done, by whom, when.
public struct PromptEvent: Sendable, Equatable {
    public var prompt: String
    /// `created`, `version_added`, `activated`, `published`, `deprecated`, `retired`, `visibility_changed`,
    /// `subscription_requested`, `subscription_approved`, `subscription_rejected`.
    public var action: String
    /// The version the change concerns, if any.
    public var version: Int?
    /// `master`, `config`, or the key id that made the change.
    public var actor: String
    public var time: Date
    /// More about the change (a subscription's team, a sunset date), if anything.
    public var detail: String?

    public init(prompt: String, action: String, version: Int? = nil, actor: String, time: Date, detail: String? = nil) {
        self.prompt = prompt
        self.action = action
        self.version = version
        self.actor = actor
        self.time = time
        self.detail = detail
    }
}
