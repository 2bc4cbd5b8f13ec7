package import SwitchyardWire

/// Translates Gemini's `batchEmbedContents` answer into an OpenAI embeddings list. Gemini reports no token count,
/// so the caller passes the prompt tokens it estimated.
package struct GeminiEmbeddingsToOpenAI {
    package init() {}

    package func translate(_ response: JSONValue, model: String, promptTokens: Int) -> JSONValue {
        let data: [JSONValue] = (response["embeddings"]?.array ?? []).enumerated().map { index, embedding in
            ["object": "embedding", "index": .integer(Int64(index)), "embedding": embedding["values"] ?? []]
        }
        return EmbeddingsList.make(data: data, model: .string(model), promptTokens: promptTokens)
    }
}
