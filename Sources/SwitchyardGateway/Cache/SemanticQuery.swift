import SwitchyardCore
import SwitchyardWire

/// What a semantic lookup compares: the last user message (by embedding), and the rest of the request, which must
/// be identical (its model, system prompt, earlier turns, tools and parameters), as a key.
struct SemanticQuery: Sendable, Equatable {
    /// The text of the last user message.
    let text: String
    /// Hex SHA-256 of the public model and the normalised request without its last user message.
    let context: String

    /// Nil when the request has no user message with text, or no hub form.
    init?(_ request: ChatRequest) {
        guard request.hubError == nil, case .object(var members)? = try? JSONValue(decoding: request.body),
            var messages = members["messages"]?.array,
            let last = messages.lastIndex(where: { $0["role"]?.string == "user" }),
            let text = Self.text(of: messages[last]["content"]), !text.isEmpty
        else { return nil }
        messages.remove(at: last)
        members["messages"] = .array(messages)
        for ignored in CacheKey.ignoredMembers { members[ignored] = nil }
        members["model"] = .string(request.model)
        if let (name, extra) = CacheKey.nativeOnlyMembers(of: request) { members[name] = extra }
        guard let canonical = CanonicalJSON.bytes(of: .object(members)) else { return nil }
        self.text = text
        context = ContentDigest.hex(canonical)
    }

    /// A message's text: its string content, or its text parts joined; nil when it carries anything else (an
    /// image cannot be compared by a text embedding).
    static func text(of content: JSONValue?) -> String? {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            var texts: [String] = []
            for part in parts {
                guard part["type"]?.string == "text", let text = part["text"]?.string else { return nil }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default: return nil
        }
    }
}
