/// How a `type: moderation` guardrail asks a configured model whether texts are harmful.
public struct ModerationSettings: Sendable, Equatable {
    /// How the model is asked.
    public enum Method: String, Sendable, CaseIterable {
        /// The OpenAI Moderations API, `{base_url}/moderations` (`flagged: true` is a finding).
        case moderations
        /// As a chat model, asked to classify the texts into the categories.
        case chat
    }

    /// The categories a chat model classifies into when none are configured.
    public static let defaultCategories = ["harassment", "hate", "self-harm", "sexual", "violence", "illicit"]

    /// The configured model that answers.
    public var model: String
    public var method: Method
    /// The categories that count (a Moderations API category counts when it is one of these or starts with one
    /// and `/`); empty counts whatever the model flags.
    public var categories: [String]
    /// How long the model has to answer before the call counts as failed.
    public var timeout: Duration
    /// Whether a failed call (an error, a timeout, an answer that cannot be read) refuses the request (`on_error:
    /// block`) or lets it through (`allow`).
    public var blocksOnError: Bool

    public init(model: String, method: Method, categories: [String] = [], timeout: Duration = .seconds(5), blocksOnError: Bool = true) {
        self.model = model
        self.method = method
        self.categories = categories
        self.timeout = timeout
        self.blocksOnError = blocksOnError
    }
}
