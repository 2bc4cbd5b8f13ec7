/// The context windows of well-known models (the input a request may take), by the upstream model name (a vendor prefix such as `openai/` or
/// Bedrock's `anthropic.` is ignored); the first matching prefix wins, so longer prefixes come first.
public enum ContextWindows {
    static let table: [(prefix: String, tokens: Int)] = [
        ("gpt-4.1", 1_047_576), ("gpt-5", 272_000), ("gpt-4o", 128_000), ("gpt-4-turbo", 128_000), ("gpt-4-32k", 32_768), ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 16_385), ("gpt-35-turbo", 16_385), ("o1-mini", 128_000), ("o1-preview", 128_000), ("o1", 200_000), ("o3", 200_000), ("o4-mini", 200_000),
        ("claude", 200_000),
        ("gemini-1.5-pro", 2_097_152), ("gemini-1.5-flash", 1_048_576), ("gemini-2", 1_048_576), ("gemini-3", 1_048_576),
        ("llama-3.1", 131_072), ("llama-3.2", 131_072), ("llama-3.3", 131_072), ("llama3.1", 131_072), ("llama3.2", 131_072),
        ("llama3.3", 131_072), ("llama3", 8_192), ("llama-3", 8_192), ("mistral-large-2402", 32_768), ("mistral-large", 131_072), ("qwen2.5", 32_768),
    ]

    /// The window of `model`, if it is a well-known one.
    public static func builtIn(for model: String) -> Int? {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        // Bedrock ids: `anthropic.claude-3-5-sonnet-…`, `meta.llama3-1-…`, `us.anthropic.…`.
        for vendor in ["anthropic.", "meta.", "mistral.", "amazon.", "cohere."] {
            if let start = name.firstRange(of: vendor) { name = String(name[start.upperBound...]) }
        }
        if name.hasPrefix("llama3-1") || name.hasPrefix("llama3-2") || name.hasPrefix("llama3-3") { return 131_072 }
        return table.first { name.hasPrefix($0.prefix) }?.tokens
    }
}
