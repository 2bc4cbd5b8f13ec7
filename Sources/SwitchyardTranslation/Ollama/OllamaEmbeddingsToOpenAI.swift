package import SwitchyardWire

/// Translates Ollama's `/api/embed` answer into an OpenAI embeddings list, with its `prompt_eval_count` as usage.
package struct OllamaEmbeddingsToOpenAI {
    package init() {}

    package func translate(_ response: JSONValue, model: String) -> JSONValue {
        let data: [JSONValue] = (response["embeddings"]?.array ?? []).enumerated().map { index, vector in
            ["object": "embedding", "index": .integer(Int64(index)), "embedding": vector]
        }
        return EmbeddingsList.make(data: data, model: response["model"] ?? .string(model), promptTokens: response["prompt_eval_count"]?.tokenCount ?? 0)
    }
}
