import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads usage from answers and stream events without decoding the rest.
enum UsageReader {
    /// The usage a scanned answer or chunk reports, read straight from its bytes: nothing is decoded.
    static func counts(in document: TopLevelJSON, dialect: WireDialect) -> TokenCounts? {
        guard let usage = document.member("usage").flatMap(document.object) else { return nil }
        // An upstream's figures are bounded before any arithmetic: a billion tokens a field is beyond any model.
        func count(_ key: String, in object: TopLevelJSON = usage) -> Int {
            min(max(object.member(key).flatMap(object.integer) ?? 0, 0), 1_000_000_000)
        }
        switch dialect {
        case .openAI:
            let details = usage.member("prompt_tokens_details").flatMap(usage.object)
            return TokenCounts(
                prompt: count("prompt_tokens"), completion: count("completion_tokens"),
                cached: details.map { count("cached_tokens", in: $0) } ?? 0)
        case .anthropic:
            let cached = count("cache_read_input_tokens")
            return TokenCounts(
                prompt: count("input_tokens") + cached + count("cache_creation_input_tokens"), completion: count("output_tokens"),
                cached: cached)
        }
    }

    /// Why each choice of an answer or chunk stopped: OpenAI's `choices[].finish_reason`, Anthropic's `stop_reason`.
    static func finishReasons(in document: TopLevelJSON, dialect: WireDialect) -> [String] {
        switch dialect {
        case .openAI:
            guard let member = document.member("choices"), member.kind == .array, let choices = try? JSONValue(decoding: document.slice(member))
            else { return [] }
            return choices.array?.compactMap { $0["finish_reason"]?.string } ?? []
        case .anthropic:
            return document.member("stop_reason").flatMap { document.string($0) }.map { [$0] } ?? []
        }
    }

    /// Whether a chunk carries only usage (`"choices": []`), the chunk `include_usage` adds at the end.
    static func isUsageOnlyChunk(_ chunk: TopLevelJSON) -> Bool {
        guard let choices = chunk.member("choices"), let usage = chunk.member("usage") else { return false }
        return choices.isEmptyContainer && usage.kind == .object
    }
}
