public import Foundation

/// A team's request to run a prompt that requires a subscription, and the operator's decision.
public struct PromptSubscription: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending, approved, rejected
    }

    public var id: String
    public var prompt: String
    public var teamID: String
    public var status: Status
    /// The key that asked.
    public var requestedBy: String
    public var createdAt: Date
    /// When the operator approved or rejected it.
    public var decidedAt: Date?

    public init(id: String, prompt: String, teamID: String, status: Status, requestedBy: String, createdAt: Date, decidedAt: Date? = nil) {
        self.id = id
        self.prompt = prompt
        self.teamID = teamID
        self.status = status
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.decidedAt = decidedAt
    }
}
