package import SwitchyardCore

/// Chooses which turns of a request's history fit its budget, given each message's tokens. Pure: the strategies'
/// choices, without the calls (summaries, embeddings) they lead to.
package struct ContextPlanner: Sendable {
    package let layout: ContextLayout
    /// Tokens of each message, by index.
    package let tokens: [Int]
    /// Tokens outside the messages (tools, format, priming).
    package let outside: Int
    package let budget: Int

    package init(layout: ContextLayout, tokens: [Int], outside: Int, budget: Int) {
        self.layout = layout
        self.tokens = tokens
        self.outside = outside
        self.budget = budget
    }

    /// Tokens of turn `index` of the history.
    package func tokens(ofTurn index: Int) -> Int { layout.turns[index].reduce(0) { $0 &+ tokens[$1] } }

    /// What is always sent: the pinned messages, the newest turn and everything outside the messages.
    package var required: Int { (layout.pinned + layout.newest).reduce(outside) { $0 &+ tokens[$1] } }

    /// The request's tokens as it came.
    package var whole: Int { tokens.reduce(outside, &+) }

    /// The room the history may take.
    package var room: Int { budget - required }

    /// - Throws: 400 `context_length_exceeded` when the newest turn with the system messages cannot fit alone.
    package func checkRequiredFits(model: String) throws(GatewayError) {
        guard required > budget else { return }
        throw GatewayError(
            status: 400, kind: .invalidRequest, code: "context_length_exceeded",
            message: "The newest turn and the system messages take \(required) tokens; the model '\(model)' takes at most \(budget) "
                + "(its context window less the tokens reserved for the answer).",
            param: "messages")
    }

    /// The most recent turns that fit in `room` together, in a run back from the newest (the oldest go first); turns
    /// in `taken` are already in and are skipped.
    package func recentTurns(within room: Int, skipping taken: Set<Int> = []) -> Set<Int> {
        var kept: Set<Int> = []
        var left = room
        for turn in layout.turns.indices.reversed() where !taken.contains(turn) {
            let cost = tokens(ofTurn: turn)
            guard cost <= left else { break }
            left -= cost
            kept.insert(turn)
        }
        return kept
    }

    /// `retrieve`: the `topK` turns most similar to the new message (by `similarity`, one per turn) that fit, chosen
    /// first; then the most recent turns in what is left. Returns every turn kept, and those only similarity brought
    /// back (which the recent turns alone would not have kept).
    package func retrieve(similarity: [Double], topK: Int) -> (kept: Set<Int>, retrieved: Set<Int>) {
        var chosen: Set<Int> = []
        var left = room
        // A turn with no usable score (no embedding of the query's size) is never brought back by similarity.
        let ranked = layout.turns.indices.filter { similarity[$0] > -1 }.sorted { (similarity[$0], $0) > (similarity[$1], $1) }
        for turn in ranked where chosen.count < topK {
            let cost = tokens(ofTurn: turn)
            if cost <= left {
                left -= cost
                chosen.insert(turn)
            }
        }
        let recent = recentTurns(within: left, skipping: chosen)
        let slidingAlone = recentTurns(within: room)
        return (chosen.union(recent), chosen.subtracting(slidingAlone))
    }

    /// `summarize`: how many of the oldest turns a summary of at most `summaryTokens` replaces, so that it and the
    /// recent turns fit.
    package func summarizedTurns(summaryTokens: Int) -> Int {
        let recent = recentTurns(within: room - summaryTokens)
        return layout.turns.count - recent.count
    }
}
