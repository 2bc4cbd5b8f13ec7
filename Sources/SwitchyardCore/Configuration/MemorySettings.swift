/// Long-term memory for a model (`memory:` on a model): durable facts about a user, extracted after their turns by
/// `extractWith` and recalled into later requests, the `topK` most similar to the new message.
public struct MemorySettings: Sendable, Equatable {
    public var enabled: Bool
    /// The configured model (public name) that extracts facts from a turn.
    public var extractWith: String
    /// The configured model (public name) that embeds facts and messages.
    public var embeddingModel: String
    public var topK: Int

    public init(enabled: Bool = true, extractWith: String, embeddingModel: String, topK: Int = 5) {
        self.enabled = enabled
        self.extractWith = extractWith
        self.embeddingModel = embeddingModel
        self.topK = topK
    }
}
