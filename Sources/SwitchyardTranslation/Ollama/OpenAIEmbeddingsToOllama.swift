package import SwitchyardWire

/// Translates an OpenAI embeddings request into Ollama's `/api/embed`: `input` as it came, `dimensions` kept.
package struct OpenAIEmbeddingsToOllama {
    package init() {}

    package func translate(_ request: JSONValue, model: String) -> JSONValue {
        var body: [String: JSONValue] = ["model": .string(model), "input": request["input"] ?? ""]
        if let dimensions = request["dimensions"], !dimensions.isNull { body["dimensions"] = dimensions }
        return .object(body)
    }
}
