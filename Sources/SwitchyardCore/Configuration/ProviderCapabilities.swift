/// What each provider type can do behind the gateway: the table `GET /v1/compatibility` publishes, that the
/// gateway checks before routing, and that the translation tests hold every translator to.
public struct ProviderCapabilities: Sendable, Equatable {
    /// How `count_tokens` is answered.
    public enum TokenCounting: String, Sendable {
        /// By the provider's own counting endpoint.
        case native
        /// By the gateway's tokenizer: exactly for OpenAI models (o200k_base, cl100k_base), as an estimate from
        /// cl100k_base for other families.
        case estimated
    }

    /// The dialect the upstream speaks: `openai`, `anthropic`, `gemini`, `ollama`, `bedrock-converse`.
    public var dialect: String
    public var streaming: Bool
    /// Function tools, in requests and in answers (streamed too).
    public var tools: Bool
    /// Image inputs; `base64Images` when only data URLs are taken.
    public var images: Bool
    public var imageURLs: Bool
    /// `response_format` with `json_schema` carried to the upstream's structured-output setting.
    public var jsonSchema: Bool
    public var embeddings: Bool
    public var tokenCounting: TokenCounting
    /// Whether `/v1/messages` requests reach this upstream untouched.
    public var messagesPassthrough: Bool
}
