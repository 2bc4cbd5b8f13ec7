public import Foundation

/// A prompt served as an endpoint: where it is in its lifecycle, which version runs, and who may run it.
public struct StoredPrompt: Sendable, Equatable {
    /// Where a prompt is in its lifecycle.
    public enum State: String, Sendable, CaseIterable {
        /// Being written: only the master key may run it.
        case draft
        /// Callable by whoever may see it.
        case published
        /// Still callable, with `Deprecation` (and `Sunset`) headers.
        case deprecated
        /// No longer callable: 410 for everyone.
        case retired
    }

    /// Which teams may see the prompt.
    public enum Visibility: String, Sendable, CaseIterable {
        case all
        /// Only `teams` (and the master key).
        case teams
    }

    public var name: String
    public var state: State
    /// The version a run without `version` gets.
    public var activeVersion: Int
    public var visibility: Visibility
    /// The teams that may see it when `visibility` is `teams`.
    public var teams: [String]
    /// Whether a team must have an approved subscription before its keys may run it.
    public var subscriptionRequired: Bool
    /// When a deprecated prompt stops answering (the `Sunset` header); nil when not announced.
    public var sunset: Date?
    /// Defined in the configuration file (its version 1 is the file's and cannot change).
    public var configured: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, state: State, activeVersion: Int, visibility: Visibility = .all, teams: [String] = [], subscriptionRequired: Bool = false,
        sunset: Date? = nil, configured: Bool = false, createdAt: Date, updatedAt: Date
    ) {
        self.name = name
        self.state = state
        self.activeVersion = activeVersion
        self.visibility = visibility
        self.teams = teams
        self.subscriptionRequired = subscriptionRequired
        self.sunset = sunset
        self.configured = configured
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
