import NIOCore
package import SwitchyardTokenizer
package import SwitchyardWire

/// Counts the tokens of chat messages for one upstream model: exactly with its own encoding for OpenAI models
/// (o200k_base, cl100k_base), and as a labelled estimate for other families, from cl100k_base scaled by how their
/// tokenizers compare on English text (Anthropic's Claude about 1.15×; Gemini, Llama and Mistral about 1×).
package struct TokenCounter: Sendable {
    package let tokenizer: Tokenizer?
    /// What a cl100k_base count is multiplied by for this family (1 when the count is exact).
    package let scale: Double
    /// Whether counts are estimates rather than the model's own tokenizer's.
    package let isEstimate: Bool

    /// Tokens every message costs beyond its text (role and separators), as OpenAI counts them.
    static let perMessage = 3
    /// Tokens that prime the answer.
    static let perRequest = 3
    /// An image: a high-detail 1024×1024 image's cost.
    static let perImage = 765
    /// A file or audio part: an estimate (about a page of text, or a minute of audio).
    static let perFileOrAudio = 1_000

    package init(model: String) {
        if let encoding = Encoding.forModel(model), let tokenizer = Tokenizer.for(encoding) {
            self.tokenizer = tokenizer
            scale = 1
            isEstimate = false
            return
        }
        tokenizer = Tokenizer.cl100k
        scale = model.lowercased().contains("claude") ? 1.15 : 1
        isEstimate = true
    }

    /// The tokens of `text`; without a vocabulary (not shipped), about one per four bytes.
    package func count(_ text: String) -> Int {
        guard !text.isEmpty else { return 0 }
        let base = tokenizer?.count(text) ?? (text.utf8.count + 3) / 4
        return scale == 1 ? base : Int((Double(base) * scale).rounded(.up))
    }

    /// The tokens of one hub message: its text parts, tool calls (name and arguments), tool call id and name, and
    /// the per-message overhead. An image counts as 765 tokens, a file or audio part as 1,000 (estimates).
    package func count(message: JSONValue) -> Int {
        var total = Self.perMessage + count(message["role"]?.string ?? "")
        switch message["content"] {
        case .string(let text)?:
            total += count(text)
        case .array(let parts)?:
            for part in parts {
                let type = part["type"]?.string ?? ""
                if let text = part["text"]?.string {
                    total += count(text)
                } else if type == "image_url" || type == "input_image" {
                    total += Self.perImage
                } else if ["file", "input_file", "input_audio", "document"].contains(type) {
                    // Never the base64 payload's tokens: a flat estimate.
                    total += Self.perFileOrAudio
                } else {
                    total += count(String(buffer: part.encoded))
                }
            }
        default:
            break
        }
        for call in message["tool_calls"]?.array ?? [] {
            total += count(call["function"]?["name"]?.string ?? "") + count(call["function"]?["arguments"]?.string ?? "") + 3
        }
        if let name = message["name"]?.string { total += count(name) + 1 }
        if let id = message["tool_call_id"]?.string { total += count(id) }
        return total
    }

    /// The tokens a request costs outside its messages: tool definitions, a response format, the answer's priming.
    package func countOutsideMessages(_ fields: [String: JSONValue]) -> Int {
        var total = Self.perRequest
        for key in ["tools", "functions", "response_format"] {
            if let value = fields[key], !value.isNull { total += count(String(buffer: value.encoded)) }
        }
        return total
    }
}
