import SwitchyardWire

/// The hub's embeddings answer: `{"object": "list", "data": [...], "model", "usage"}`.
enum EmbeddingsList {
    static func make(data: [JSONValue], model: JSONValue, promptTokens: Int) -> JSONValue {
        [
            "object": "list", "data": .array(data), "model": model,
            "usage": ["prompt_tokens": .integer(Int64(promptTokens)), "total_tokens": .integer(Int64(promptTokens))],
        ]
    }
}
