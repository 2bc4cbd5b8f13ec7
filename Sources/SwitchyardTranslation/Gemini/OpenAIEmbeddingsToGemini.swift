package import SwitchyardCore
package import SwitchyardWire

/// Translates an OpenAI embeddings request into Gemini's `batchEmbedContents`: one request per input string, with
/// `dimensions` as `outputDimensionality`.
package struct OpenAIEmbeddingsToGemini {
    package init() {}

    /// - Throws: 400 when `input` is not a string or an array of strings (Gemini embeds text only).
    package func translate(_ request: JSONValue, model: String) throws(GatewayError) -> JSONValue {
        let inputs: [JSONValue]
        switch request["input"] {
        case .string(let text)?: inputs = [.string(text)]
        case .array(let items)? where items.allSatisfy({ $0.string != nil }): inputs = items
        default: throw .badRequest("Provider type gemini embeds text only: 'input' must be a string or strings.", param: "input")
        }
        var template: [String: JSONValue] = ["model": .string("models/\(model)")]
        if let dimensions = request["dimensions"], !dimensions.isNull { template["outputDimensionality"] = dimensions }
        let requests: [JSONValue] = inputs.map { input in
            var entry = template
            entry["content"] = ["parts": [["text": input]]]
            return .object(entry)
        }
        return ["requests": .array(requests)]
    }
}
