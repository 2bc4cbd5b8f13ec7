package import SwitchyardWire

/// The hub's `chat.completion.chunk`s, built the same way by every stream translator.
package enum HubChunk {
    /// A chunk of one choice: `delta`, and the finish reason on the choice's last chunk.
    package static func make(id: String, created: Int, model: JSONValue, delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": model,
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": nil]],
        ]
    }

    /// The usage chunk OpenAI sends last when `stream_options.include_usage` is set: no choices, only `usage`.
    package static func usage(id: String, created: Int, model: JSONValue, usage: JSONValue) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": model,
            "choices": [], "usage": usage,
        ]
    }
}
