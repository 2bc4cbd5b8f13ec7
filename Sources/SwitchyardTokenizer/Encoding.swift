/// A tiktoken encoding this module can apply: its vocabulary and its rule for splitting text into pieces.
public enum Encoding: String, Sendable, CaseIterable {
    /// GPT-4, GPT-3.5 and the text-embedding-3 / ada-002 models.
    case cl100k = "cl100k_base"
    /// GPT-4o, GPT-4.1, GPT-5 and the o-series reasoning models.
    case o200k = "o200k_base"

    /// The encoding tiktoken uses for an OpenAI model name, or nil for a model it does not know or that uses another
    /// encoding.
    ///
    /// Follows tiktoken's `MODEL_TO_ENCODING` and `MODEL_PREFIX_TO_ENCODING` tables, and also accepts a vendor prefix
    /// (`openai/gpt-4o`), a fine-tune prefix (`ft:gpt-4o-mini:org::id`) and any letter case. `gpt-oss-*` maps to
    /// o200k_base: tiktoken's o200k_harmony differs from it only in special tokens, which ordinary text never produces.
    public static func forModel(_ model: String) -> Encoding? {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if name.hasPrefix("ft:") { name = String(name.dropFirst(3)) }

        // Before "gpt-4": these names start with it but use o200k_base.
        for prefix in ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o", "gpt-oss"] where name.hasPrefix(prefix) {
            return .o200k
        }
        // The o-series: "o1", "o3-mini", "o4-mini-2025-04-16", but not "o10x" or "omni".
        for family in ["o1", "o3", "o4"] where name == family || name.hasPrefix(family + "-") {
            return .o200k
        }
        for prefix in ["gpt-4", "gpt-3.5", "gpt-35-turbo", "text-embedding-3-"] where name.hasPrefix(prefix) {
            return .cl100k
        }
        switch name {
        case "text-embedding-ada-002", "davinci-002", "babbage-002": return .cl100k
        default: return nil
        }
    }
}
