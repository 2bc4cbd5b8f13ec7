/// A configured guardrail (`guardrails:`): what it looks for, what it does when it finds it, and on which side of
/// the model.
public struct GuardrailSettings: Sendable, Equatable {
    /// What the guardrail looks for.
    public enum Kind: Sendable, Equatable {
        /// Personal data and secrets; the entities by name (`email`, `credit_card` ...), every one when empty.
        case pii(entities: [String])
        /// Regular expressions.
        case regex(patterns: [String])
        /// Words and phrases, matched whole and regardless of case.
        case words([String])
        /// Prompt injection: a text scoring at least `threshold` (0 to 1) is a finding.
        case promptInjection(threshold: Double)
        /// A configured model's verdict on the texts (as they leave the other guardrails).
        case moderation(ModerationSettings)
    }

    /// What happens to a text in which the guardrail found something.
    public enum Action: String, Sendable, CaseIterable {
        /// The upstream sees placeholders (`[EMAIL_1]`) in place of what was found.
        case redact
        /// As redact, and the client gets the originals back in the answer.
        case mask
        /// The request (or the answer) is refused: 400 `guardrail_blocked`.
        case block
        /// Nothing changes; the finding is recorded.
        case flag
    }

    /// Which texts the guardrail reads.
    public enum Direction: String, Sendable, CaseIterable {
        /// What is sent to the model.
        case input
        /// What the model answers.
        case output
    }

    public var name: String
    public var kind: Kind
    public var action: Action
    public var directions: Set<Direction>

    public init(name: String, kind: Kind, action: Action, directions: Set<Direction> = [.input]) {
        self.name = name
        self.kind = kind
        self.action = action
        self.directions = directions
    }
}
