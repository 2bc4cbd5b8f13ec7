/// What context management did to one request, for `x-switchyard-context`: `kept` messages were sent upstream,
/// `dropped` left out, `summarized` replaced by a summary, `retrieved` brought back by similarity; `tokens` is the
/// request's count as sent.
package struct ContextFit: Sendable, Equatable {
    package var kept: Int
    package var dropped: Int
    package var summarized: Int
    package var retrieved: Int
    package var tokens: Int

    package init(kept: Int, dropped: Int = 0, summarized: Int = 0, retrieved: Int = 0, tokens: Int) {
        self.kept = kept
        self.dropped = dropped
        self.summarized = summarized
        self.retrieved = retrieved
        self.tokens = tokens
    }

    /// The header's value.
    package var header: String { "kept=\(kept) dropped=\(dropped) summarized=\(summarized) retrieved=\(retrieved) tokens=\(tokens)" }
}
