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

/// Conversation turns for dialects that require roles to alternate: content of one role in a row joins one turn.
struct AlternatingTurns {
    private(set) var turns: [(role: String, content: [JSONValue])] = []

    mutating func append(_ content: [JSONValue], role: String) {
        guard !content.isEmpty else { return }
        if turns.last?.role == role {
            turns[turns.count - 1].content.append(contentsOf: content)
        } else {
            turns.append((role, content))
        }
    }

    /// The turns as `{"role": ..., contentKey: [...]}` objects.
    func json(contentKey: String) -> JSONValue {
        .array(turns.map { .object(["role": .string($0.role), contentKey: .array($0.content)]) })
    }
}

/// A `data:<media type>;base64,<data>` URL, as OpenAI clients send inline images.
struct Base64DataURL {
    let mediaType: String
    let data: String

    /// Nil when `url` is not a base64 data URL.
    init?(_ url: String) {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        mediaType = String(header.dropLast(";base64".count))
        data = String(url[url.index(after: comma)...])
    }
}
