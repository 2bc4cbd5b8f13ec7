import SwitchyardCore
import SwitchyardWire

/// Readings of an OpenAI (hub) request that every upstream translation needs the same way.
enum HubRequestFields {
    /// `stop` as an array, whether the client sent one string or several.
    static func stopSequences(_ fields: [String: JSONValue]) -> JSONValue? {
        switch fields["stop"] {
        case .string(let stop)?: [.string(stop)]
        case .array(let stops)?: .array(stops)
        default: nil
        }
    }

    /// The output token limit, under its current name or the older one.
    static func maxTokens(_ fields: [String: JSONValue]) -> JSONValue? {
        guard let limit = fields["max_completion_tokens"] ?? fields["max_tokens"], !limit.isNull else { return nil }
        return limit
    }

    /// A tool call's arguments, which dialects other than OpenAI carry as a JSON object rather than text.
    /// - Throws: 400 naming `param` when the text is not a JSON object.
    static func toolArguments(_ call: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        let text = call["function"]?["arguments"]?.string ?? ""
        if text.isEmpty { return [:] }
        guard let value = try? JSONValue(decoding: text), value.object != nil else {
            throw .badRequest("Tool call arguments must be a JSON object.", param: param)
        }
        return value
    }
}
