import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
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
            rewritten.native = Self.fitted(request.native, to: .object(fields))
            context.journal?.update { $0.context = fit.header }
            return (rewritten, fit)
        }
        context.journal?.update { $0.context = fit.header }
        return (request, fit)
    }

    /// The client's own-dialect body with the fitted history: for Anthropic, its `messages` and `system` made from
    /// the fitted hub request, every other member (`thinking`, `top_k`, `metadata` ...) as the client sent it; nil
    /// (the hub request is sent) for another dialect or a body that cannot be rewritten.
    static func fitted(_ native: NativeRequest?, to hub: JSONValue) -> NativeRequest? {
        guard var native, native.dialect == .anthropic, case .object(var fields)? = try? JSONValue(decoding: native.body),
            let translated = try? OpenAIRequestToAnthropic().translate(hub, model: fields["model"]?.string ?? "")
        else { return nil }
        fields["messages"] = translated["messages"]
        fields["system"] = translated["system"]
        native.body = JSONValue.object(fields).encoded
        return native
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
        var covered = min(stored?.turns ?? 0, cut)
        if covered < cut {
            // One call, with at most `maximumTranscriptTokens` of new turns: a history longer than that is summarized
            // over several requests, the turns beyond it dropped meanwhile.
            var lines: [String] = []
            var transcriptTokens = 0
            var through = covered
            while through < cut {
                let turnLines = layout.turns[through].map { Self.transcriptLine(layout.messages[$0]) }
                let cost = turnLines.reduce(0) { $0 + counter.count($1) }
                if through > covered, transcriptTokens + cost > Self.maximumTranscriptTokens { break }
                lines += turnLines
                transcriptTokens += cost
                through += 1
            }
            let transcript = lines.joined(separator: "\n")
            let instructions = """
                You keep a running summary of a conversation for an assistant that will continue it. Keep the facts, names, \
                numbers, decisions, preferences, tool results and unresolved points that matter; drop pleasantries. Write \
                plain text, at most \(summaryTokens * 3 / 4) words.
                """
            let prompt = "Summary so far:\n\(summary.isEmpty ? "(none)" : summary)\n\nNew turns:\n\(transcript)\n\nWrite the updated summary."
            summary = try await completionText(
                messages: [["role": "system", "content": .string(instructions)], ["role": "user", "content": .string(prompt)]], model: model,
                maxTokens: summaryTokens, caller: caller?.onGatewaysBehalf, context: context)
            contextRecords?.keep(ContextSummary(scope: scope, key: keys[through - 1], summary: summary, turns: through, createdAt: Date()))
            covered = through
        }
        let message: JSONValue = ["role": "system", "content": .string("Summary of earlier conversation: " + summary)]
        // A summary longer than the room (one written when there was more, or longer than asked) is not sent.
        let summaryCost = counter.count(message: message)
        guard summaryCost <= planner.room else { return nil }
        let kept = planner.recentTurns(within: planner.room - summaryCost, skipping: Set(0..<cut))
        return Choice(kept: kept, summary: message, summarizedTurns: Set(0..<covered))
    }

    /// The most tokens of turns one summary call is given.
    static let maximumTranscriptTokens = 16_000

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
        // Each text cut to about 8,000 tokens, at most 256 a request: what embedding models take.
        let inputs = (missing.map { texts[$0] } + [query]).map { String($0.prefix(24_000)) }
        var made: [[Float]] = []
        for start in stride(from: 0, to: inputs.count, by: 256) {
            made += try await embeddings(
                of: Array(inputs[start..<min(start + 256, inputs.count)]), model: model, caller: caller?.onGatewaysBehalf, context: context)
        }
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
