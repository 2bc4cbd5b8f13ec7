import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// The response cache's step of the chat pipeline: looked up before admission (a hit costs nothing against
/// budgets and token limits, though the caller must still be allowed the model), stored after a complete answer.
extension Gateway {
    /// How the cache takes part in `request`; nil when the model's cache is off or the request has no hub form.
    func cachePlan(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) -> CachePlan? {
        guard cache != nil, let settings = catalog.entry(request.model)?.route.cache, settings.enabled,
            let key = CacheKey(request, caller: caller)
        else { return nil }
        return CachePlan(key: key, model: request.model, settings: settings, control: context.cacheControl)
    }

    /// Looks `request` up: its exact key first, then (when the model's semantic cache is on) the nearest entry by
    /// the embedding of its last user message. The caller meters what it serves (``served(as:model:operation:caller:stream:context:)``)
    /// or notes the miss.
    func lookUp(_ plan: CachePlan, request: ChatRequest, caller: Caller?, context: UpstreamContext) async -> CacheLookup {
        guard let cache else { return CacheLookup() }
        if plan.control.reads, let entry = await cache.entry(for: plan.key, maxAge: plan.control.maxAge) {
            return CacheLookup(entry: entry, result: .hit)
        }
        let semantic = plan.settings.semantic
        guard semantic.enabled, plan.control.reads || plan.control.writes, let embeddingModel = semantic.embeddingModel,
            let query = SemanticQuery(request), let vector = await embedding(of: query.text, model: embeddingModel, caller: caller, context: context)
        else { return CacheLookup() }
        let fingerprint = SemanticFingerprint(context: query.context, vector: vector)
        if plan.control.reads,
            let entry = await cache.nearest(
                scope: plan.key.scope, model: plan.model, context: query.context, vector: vector, threshold: semantic.threshold,
                maxAge: plan.control.maxAge)
        {
            return CacheLookup(entry: entry, result: .semanticHit, fingerprint: fingerprint)
        }
        return CacheLookup(fingerprint: fingerprint)
    }

    /// A cached answer as the reply to `request`.
    func cachedReply(_ entry: CacheEntry, result: CacheResult, request: ChatRequest, context: UpstreamContext) -> Routed<UpstreamReply> {
        let body = (try? TopLevelJSON(scanning: entry.body))?.replacingModel(with: request.model) ?? entry.body
        context.journal?.captureResponse(body)
        return Routed(value: UpstreamReply(body: body), target: nil, attempts: 0, headroom: nil, cache: result)
    }

    /// A cached answer replayed as the stream `request` asked for: its chunks, the usage chunk if asked, `[DONE]`.
    func cachedStream(_ entry: CacheEntry, result: CacheResult, request: ChatRequest) -> Routed<ChatEventStream>? {
        guard let completion = try? JSONValue(decoding: entry.body) else { return nil }
        let includeUsage = (try? JSONValue(decoding: request.body))?["stream_options"]?["include_usage"]?.bool ?? false
        var events: [ChatStreamEvent] = CompletionReplay.chunks(of: completion, includeUsage: includeUsage).map { chunk in
            guard case .object(var members) = chunk else { return .chunk(chunk.encoded) }
            members["model"] = .string(request.model)
            return .chunk(JSONValue.object(members).encoded)
        }
        events.append(.done)
        let replay = events
        return Routed(value: ChatEventStream { ReplayedEventSource(events: replay) }, target: nil, attempts: 0, headroom: nil, cache: result)
    }

    /// An answer in the hub dialect, for the cache: an upstream's native Messages answer translated.
    static func hubAnswer(_ reply: UpstreamReply) -> ByteBuffer? {
        switch reply.dialect {
        case .openAI: return reply.body
        case .anthropic:
            guard let message = try? JSONValue(decoding: reply.body), message["type"]?.string == "message" else { return nil }
            return AnthropicResponseToOpenAI().translate(message).encoded
        }
    }

    /// Notes and counts a request the cache did not answer; returns what it reports.
    func noteMiss(_ plan: CachePlan, context: UpstreamContext) -> CacheResult {
        let result = plan.missResult
        context.journal?.update { $0.cache = result.rawValue }
        catalog.metrics?.cacheRequest(model: plan.model, result: result.rawValue)
        return result
    }

    /// For a model whose cache is on, a request the cache cannot take (several choices, log probabilities, no hub
    /// form) is a `bypass`; nil for a model whose cache is off.
    func noteUncacheable(_ model: String, context: UpstreamContext) -> CacheResult? {
        guard cache != nil, catalog.entry(model)?.route.cache.enabled == true else { return nil }
        context.journal?.update { $0.cache = CacheResult.bypass.rawValue }
        catalog.metrics?.cacheRequest(model: model, result: CacheResult.bypass.rawValue)
        return .bypass
    }

    /// Keeps a complete hub answer for the plan's request, unless the request said `no-store`.
    func keep(_ body: ByteBuffer, plan: CachePlan, fingerprint: SemanticFingerprint?) {
        guard plan.control.writes, let cache else { return }
        let now = Date()
        cache.keep(
            CacheEntry(
                scope: plan.key.scope, key: plan.key.key, model: plan.model, body: body, context: fingerprint?.context,
                vector: fingerprint?.vector, createdAt: now,
                expiresAt: now.addingTimeInterval(plan.settings.ttl.seconds)))
    }

    /// Meters, counts and notes an answer served from the cache (the caller was found allowed the model before the
    /// lookup; budgets and rate limits are not charged for cached answers).
    func served(as result: CacheResult, model: String, operation: String, caller: Caller?, stream: Bool, context: UpstreamContext) {
        let started = ContinuousClock.now
        begin(model, operation: operation, stream: stream, context: context)
        context.journal?.update { $0.cache = result.rawValue }
        catalog.metrics?.cacheRequest(model: model, result: result.rawValue)
        meter?.settle(context: context, caller: caller, model: model, target: nil, tokens: TokenCounts(), status: 200, started: started, cached: true)
    }

    /// The embedding of `text` by the configured model `model`, through the gateway's own embeddings path (any
    /// provider that embeds); nil when it fails: the request then goes on without semantic lookup.
    /// The call is the caller's (its limits and spend), not held to its model list.
    private func embedding(of text: String, model: String, caller: Caller?, context: UpstreamContext) async -> [Float]? {
        do {
            return try await embeddings(of: [text], model: model, caller: caller?.onGatewaysBehalf, context: context).first
        } catch {
            context.logger.warning("could not embed a prompt for the semantic cache", metadata: ["model": "\(model)", "error": "\(error)"])
            return nil
        }
    }
}

/// Events already known, handed out in order: a cached answer's stream.
struct ReplayedEventSource: ChatEventSource {
    var events: [ChatStreamEvent]
    private var index = 0

    init(events: [ChatStreamEvent]) {
        self.events = events
    }

    mutating func next() async throws -> ChatStreamEvent? {
        guard index < events.count else { return nil }
        defer { index += 1 }
        return events[index]
    }
}
