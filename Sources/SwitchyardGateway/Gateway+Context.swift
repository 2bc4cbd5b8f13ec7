import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Context management: a request to a model with a `context:` section is fitted into the model's window before it
/// is routed (or looked up in the cache), by the model's strategy.
extension Gateway {
    /// The request as it will be sent, and what fitting it did; the request as it is, and nil, for a model without
    /// a `context:` section (or a request with no hub form to rewrite).
    /// - Throws: 400 `context_length_exceeded` when the newest turn with the system messages cannot fit alone.
    func fitContext(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> (ChatRequest, ContextFit?) {
        guard let entry = catalog.entry(request.model), let settings = entry.route.context, request.hubError == nil,
            case .object(var fields)? = try? JSONValue(decoding: request.body), let messages = fields["messages"]?.array
        else { return (request, nil) }
        // Before any work on the caller's behalf: a key that may not use the model learns nothing.
        try caller?.authorize(model: request.model)
        let counter = TokenCounter(model: entry.route.targets.first?.model ?? request.model)
        let layout = ContextLayout(messages)
        let planner = ContextPlanner(
            layout: layout, tokens: messages.map(counter.count(message:)), outside: counter.countOutsideMessages(fields), budget: settings.budget)
        try planner.checkRequiredFits(model: request.model)
        var fit = ContextFit(kept: messages.count, tokens: planner.whole)
        if planner.whole > settings.budget {
            let chosen = await choose(planner, settings: settings, counter: counter, caller: caller, context: context)
            let fitted = layout.messages(keeping: chosen.kept, summary: chosen.summary)
            let historyMessages = layout.turns.reduce(0) { $0 + $1.count }
            let keptMessages = chosen.kept.reduce(0) { $0 + layout.turns[$1].count }
            fit.kept = fitted.count
            fit.summarized = chosen.summarizedTurns.reduce(0) { $0 + layout.turns[$1].count }
            fit.dropped = historyMessages - keptMessages - fit.summarized
            fit.retrieved = chosen.retrieved.reduce(0) { $0 + layout.turns[$1].count }
            fit.tokens = planner.required + chosen.kept.reduce(0) { $0 + planner.tokens(ofTurn: $1) }
                + (chosen.summary.map(counter.count(message:)) ?? 0)
            fields["messages"] = .array(fitted)
            var rewritten = request
            rewritten.body = JSONValue.object(fields).encoded
            // The client's own-dialect body holds the whole history: the fitted hub request is sent instead.
            rewritten.native = nil
            context.journal?.update { $0.context = fit.header }
            return (rewritten, fit)
        }
        context.journal?.update { $0.context = fit.header }
        return (request, fit)
    }

    /// What a strategy keeps of the history.
    private struct Choice {
        var kept: Set<Int>
        var summary: JSONValue? = nil
        var summarizedTurns: Set<Int> = []
        var retrieved: Set<Int> = []
    }

    /// The strategy's choice; a summary or embedding that cannot be made falls back to the sliding window.
    private func choose(
        _ planner: ContextPlanner, settings: ContextSettings, counter: TokenCounter, caller: Caller?, context: UpstreamContext
    ) async -> Choice {
        let window = Choice(kept: planner.recentTurns(within: planner.room))
        switch settings.strategy {
        case .slidingWindow:
            return window
        case .summarize:
            guard let model = settings.summarizeWith else { return window }
            do {
                return try await summarize(planner, model: model, counter: counter, caller: caller, context: context) ?? window
            } catch {
                context.logger.warning("could not summarize earlier turns; the oldest are dropped", metadata: ["model": "\(model)", "error": "\(error)"])
                return window
            }
        case .retrieve:
            guard let model = settings.embeddingModel else { return window }
            do {
                return try await retrieve(planner, model: model, topK: settings.retrieveTopK, caller: caller, context: context)
            } catch {
                context.logger.warning("could not embed turns for retrieval; the oldest are dropped", metadata: ["model": "\(model)", "error": "\(error)"])
                return window
            }
        }
    }

    // MARK: Summarize

    /// The oldest turns that do not fit beside a summary, replaced by one: the stored summary of the longest prefix
    /// of them, extended by one call of `model` with the turns after it (none when it covers them all). Nil when
    /// there is no room for a summary.
    private func summarize(
        _ planner: ContextPlanner, model: String, counter: TokenCounter, caller: Caller?, context: UpstreamContext
    ) async throws -> Choice? {
        let summaryTokens = min(1024, planner.room / 3)
        guard summaryTokens >= 32 else { return nil }
        let cut = planner.summarizedTurns(summaryTokens: summaryTokens)
        guard cut > 0 else { return nil }
        let layout = planner.layout
        let keys = Self.prefixKeys(of: layout, turns: cut, salt: "summary\n" + model)
        let scope = caller.tenantScope
        let stored = await contextRecords?.longestSummary(scope: scope, keys: Array(keys.prefix(cut)))
        var summary = stored?.summary ?? ""
        let covered = min(stored?.turns ?? 0, cut)
        if covered < cut {
            let transcript = (covered..<cut).flatMap { layout.turns[$0] }.map { Self.transcriptLine(layout.messages[$0]) }.joined(separator: "\n")
            let instructions = """
                You keep a running summary of a conversation for an assistant that will continue it. Keep the facts, names, \
                numbers, decisions, preferences, tool results and unresolved points that matter; drop pleasantries. Write \
                plain text, at most \(summaryTokens * 3 / 4) words.
                """
            let prompt = "Summary so far:\n\(summary.isEmpty ? "(none)" : summary)\n\nNew turns:\n\(transcript)\n\nWrite the updated summary."
            summary = try await completionText(
                messages: [["role": "system", "content": .string(instructions)], ["role": "user", "content": .string(prompt)]], model: model,
                maxTokens: summaryTokens, caller: caller?.onGatewaysBehalf, context: context)
            contextRecords?.keep(ContextSummary(scope: scope, key: keys[cut - 1], summary: summary, turns: cut, createdAt: Date()))
        }
        let message: JSONValue = ["role": "system", "content": .string("Summary of earlier conversation: " + summary)]
        // The summary written may be longer than asked: the recent turns fit beside the one there is.
        let kept = planner.recentTurns(within: planner.room - counter.count(message: message), skipping: Set(0..<cut))
        return Choice(kept: kept, summary: message, summarizedTurns: Set(0..<cut))
    }

    /// One key per prefix of the history's turns (`keys[i]` covers turns 0...i), each the digest of the one before
    /// and the turn's messages: a history that starts with the same turns has the same keys.
    static func prefixKeys(of layout: ContextLayout, turns: Int, salt: String) -> [String] {
        var keys: [String] = []
        var previous = ContentDigest.hex(Array(salt.utf8))
        for turn in layout.turns.prefix(turns) {
            var bytes = Array(previous.utf8)
            for index in turn { bytes += Array(layout.messages[index].encoded.readableBytesView) }
            previous = ContentDigest.hex(bytes)
            keys.append(previous)
        }
        return keys
    }

    /// One message as a transcript line: `role: text`, tool calls and results spelled out.
    static func transcriptLine(_ message: JSONValue) -> String {
        let role = message["role"]?.string ?? "user"
        var text = message["content"]?.string ?? (message["content"]?.array ?? []).compactMap { $0["text"]?.string }.joined(separator: " ")
        for call in message["tool_calls"]?.array ?? [] {
            text += " [calls \(call["function"]?["name"]?.string ?? "a tool") with \(call["function"]?["arguments"]?.string ?? "{}")]"
        }
        return "\(role): \(text)"
    }

    // MARK: Retrieve

    /// The turns most similar to the newest message, by the embeddings of `model` (each turn's made once and kept),
    /// then the recent turns in what is left.
    private func retrieve(_ planner: ContextPlanner, model: String, topK: Int, caller: Caller?, context: UpstreamContext) async throws -> Choice {
        let layout = planner.layout
        let texts = layout.turns.map { turn in turn.map { Self.transcriptLine(layout.messages[$0]) }.joined(separator: "\n") }
        let query = layout.newest.first.map { Self.transcriptLine(layout.messages[$0]) } ?? ""
        let scope = caller.tenantScope
        let keys = texts.map { ContentDigest.hex(Array("embedding\n\(model)\n\($0)".utf8)) }
        var vectors = await contextRecords?.embeddings(scope: scope, keys: keys) ?? [:]
        let missing = keys.indices.filter { vectors[keys[$0]] == nil }
        let made = try await embeddings(of: missing.map { texts[$0] } + [query], model: model, caller: caller?.onGatewaysBehalf, context: context)
        let now = Date()
        for (position, index) in missing.enumerated() {
            vectors[keys[index]] = made[position]
            contextRecords?.keep(ContextEmbedding(scope: scope, key: keys[index], vector: made[position], createdAt: now))
        }
        guard let queryVector = made.last.flatMap(SemanticIndex.unit) else { return Choice(kept: planner.recentTurns(within: planner.room)) }
        let similarity = keys.map { key -> Double in
            guard let unit = vectors[key].flatMap(SemanticIndex.unit), unit.count == queryVector.count else { return -2 }
            return Double(SemanticIndex.dot(queryVector, unit))
        }
        let (kept, retrieved) = planner.retrieve(similarity: similarity, topK: topK)
        return Choice(kept: kept, retrieved: retrieved)
    }
}
