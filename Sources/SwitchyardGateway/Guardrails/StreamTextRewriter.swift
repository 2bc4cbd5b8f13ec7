/// Rewrites the texts of a streamed answer as they arrive, each stream of text (a choice's content, a tool call's
/// arguments, an Anthropic content block) under its own key; used by `TextRewritingEventSource`.
protocol StreamTextRewriter {
    /// The text to give out now for the next `delta` of the text `key`; `json` when the text is inside JSON (tool
    /// arguments). What it holds back waits for the next delta or `finish(_:)`.
    /// - Throws: `GatewayError` to end the stream with an error event.
    mutating func rewrite(_ delta: String, key: String, json: Bool) throws -> String
    /// What is still held back of the text `key`, given out as it ends.
    mutating func finish(_ key: String) throws -> String
    /// The keys of texts with something held back.
    var heldKeys: [String] { get }
    /// The answer is whole (everything held was given out): the last chance to refuse it.
    mutating func streamEnded() async throws
    /// The stream stopped before its end (the client left, or the upstream failed).
    mutating func streamStopped()
}

extension StreamTextRewriter {
    mutating func streamEnded() async throws {}
    mutating func streamStopped() {}
}
