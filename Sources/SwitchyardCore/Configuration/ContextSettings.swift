/// How a model's requests are fitted into its context window (`context:` on a model): when the history and the new
/// messages would take more than `windowTokens − reserveOutputTokens`, the strategy makes room.
public struct ContextSettings: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// Drops the oldest turns.
        case slidingWindow = "sliding-window"
        /// Replaces the oldest turns with a summary written by `summarizeWith`, kept and extended.
        case summarize
        /// Keeps the recent turns and brings back the older turns most similar to the new message.
        case retrieve
    }

    /// The model's window, from the configuration or the built-in table.
    public var windowTokens: Int
    /// Room left for the answer.
    public var reserveOutputTokens: Int
    public var strategy: Strategy
    /// `summarize`: the configured model (public name) that writes summaries.
    public var summarizeWith: String?
    /// `retrieve`: how many older turns come back.
    public var retrieveTopK: Int
    /// `retrieve`: the configured model (public name) that embeds turns.
    public var embeddingModel: String?

    public init(
        windowTokens: Int, reserveOutputTokens: Int = 1024, strategy: Strategy = .slidingWindow, summarizeWith: String? = nil,
        retrieveTopK: Int = 4, embeddingModel: String? = nil
    ) {
        self.windowTokens = windowTokens
        self.reserveOutputTokens = reserveOutputTokens
        self.strategy = strategy
        self.summarizeWith = summarizeWith
        self.retrieveTopK = retrieveTopK
        self.embeddingModel = embeddingModel
    }

    /// The tokens a request may take.
    public var budget: Int { max(0, windowTokens - reserveOutputTokens) }
}
