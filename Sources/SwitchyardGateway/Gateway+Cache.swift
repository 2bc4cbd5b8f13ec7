import Foundation
import NIOCore
package import SwitchyardCore
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

    /// The cached answer to `request`, when there is one.
    func cachedReply(_ plan: CachePlan, request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply>? {
        guard let entry = try await cachedEntry(plan, caller: caller, stream: false, context: context) else { return nil }
        let body = (try? TopLevelJSON(scanning: entry.body))?.replacingModel(with: request.model) ?? entry.body
        context.journal?.captureResponse(body)
        return Routed(value: UpstreamReply(body: body), target: nil, attempts: 0, headroom: nil, cache: .hit)
    }

    /// The cached answer to `request`, replayed as a stream, when there is one.
    func cachedStream(_ plan: CachePlan, request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<ChatEventStream>? {
        guard let entry = try await cachedEntry(plan, caller: caller, stream: true, context: context),
            let completion = try? JSONValue(decoding: entry.body)
        else { return nil }
        let includeUsage = (try? JSONValue(decoding: request.body))?["stream_options"]?["include_usage"]?.bool ?? false
        var chunks: [ChatStreamEvent] = CompletionReplay.chunks(of: completion, includeUsage: includeUsage).map { chunk in
            var chunk = chunk
            if case .object(var members) = chunk {
                members["model"] = .string(request.model)
                chunk = .object(members)
            }
            return .chunk(chunk.encoded)
        }
        chunks.append(.done)
        let replay = chunks
        let events = ChatEventStream { ReplayedEventSource(events: replay) }
        return Routed(value: events, target: nil, attempts: 0, headroom: nil, cache: .hit)
    }

    /// Notes and counts a request the cache did not answer; returns what it reports.
    func noteMiss(_ plan: CachePlan, context: UpstreamContext) -> CacheResult {
        let result = plan.missResult
        context.journal?.update { $0.cache = result.rawValue }
        catalog.metrics?.cacheRequest(model: plan.model, result: result.rawValue)
        return result
    }

    /// Keeps a complete hub answer for the plan's request, unless the request said `no-store`.
    func keep(_ body: ByteBuffer, plan: CachePlan) {
        guard plan.control.writes, let cache else { return }
        let now = Date()
        let seconds = Double(plan.settings.ttl.components.seconds) + Double(plan.settings.ttl.components.attoseconds) / 1e18
        cache.keep(
            CacheEntry(
                scope: plan.key.scope, key: plan.key.key, model: plan.model, body: body, createdAt: now,
                expiresAt: now.addingTimeInterval(seconds)))
    }

    /// Keeps a stream's whole answer.
    func keep(_ completion: JSONValue, plan: CachePlan) {
        keep(completion.encoded, plan: plan)
    }

    /// The entry for the plan's request when the cache may be read and holds one; a hit is metered as free and
    /// noted in the request's journal, and every lookup is counted.
    private func cachedEntry(_ plan: CachePlan, caller: Caller?, stream: Bool, context: UpstreamContext) async throws -> CacheEntry? {
        guard plan.control.reads, let cache else { return nil }
        guard let entry = await cache.entry(for: plan.key, maxAge: plan.control.maxAge) else { return nil }
        // The allow-list holds for cached answers too; budgets and rate limits are not charged for them.
        try caller?.authorize(model: plan.model)
        let started = ContinuousClock.now
        begin(plan.model, operation: "chat", stream: stream, context: context)
        context.journal?.update { $0.cache = CacheResult.hit.rawValue }
        catalog.metrics?.cacheRequest(model: plan.model, result: CacheResult.hit.rawValue)
        meter?.settle(context: context, caller: caller, model: plan.model, target: nil, tokens: TokenCounts(), status: 200, started: started, cached: true)
        return entry
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
