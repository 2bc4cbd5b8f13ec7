import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Embeddings through the response cache: each input string has its own entry, so a batch with one new string
/// calls the upstream for that string only, and the answer keeps the request's order and indexes.
extension Gateway {
    /// How the cache takes part in an embeddings request; nil when the model's cache is off or the input is not text.
    func embeddingsPlan(_ request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) -> EmbeddingsPlan? {
        guard cache != nil, let settings = catalog.entry(request.model)?.route.cache, settings.enabled else { return nil }
        return EmbeddingsPlan(request, scope: caller.tenantScope, settings: settings, control: context.cacheControl)
    }

    func embedThroughCache(_ plan: EmbeddingsPlan, request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        guard let cache else { return try await embedUpstream(request, caller: caller, context: context) }
        try caller?.authorize(model: plan.model)
        var vectors: [Int: JSONValue] = [:]
        if plan.control.reads {
            let found = await cache.entries(scope: plan.scope, keys: plan.keys, maxAge: plan.control.maxAge)
            for (index, key) in plan.keys.enumerated() {
                if let entry = found[key], let vector = try? JSONValue(decoding: entry.body) { vectors[index] = vector }
            }
        }
        let missing = plan.inputs.indices.filter { vectors[$0] == nil }
        if missing.isEmpty {
            served(as: .hit, model: plan.model, operation: "embeddings", caller: caller, stream: false, context: context)
            let answer = Self.embeddingsList(vectors, count: plan.inputs.count, model: .string(plan.model), usage: ["prompt_tokens": 0, "total_tokens": 0])
            context.journal?.captureResponse(answer)
            return Routed(value: UpstreamReply(body: answer), target: nil, attempts: 0, headroom: nil, cache: .hit)
        }
        // Only the strings not cached go upstream, in one request.
        var members = plan.members
        members["input"] = .array(missing.map { .string(plan.inputs[$0]) })
        var routed = try await embedUpstream(EmbeddingRequest(body: JSONValue.object(members).encoded, model: plan.model), caller: caller, context: context)
        let result = plan.control.reads || plan.control.writes ? CacheResult.miss : .bypass
        context.journal?.update { $0.cache = result.rawValue }
        catalog.metrics?.cacheRequest(model: plan.model, result: result.rawValue)
        routed.cache = result
        // The upstream answered for the strings sent, indexed from 0: each index must appear once, or the vectors
        // cannot be put back in the request's order (and nothing is stored).
        guard let answer = try? JSONValue(decoding: routed.value.body), let data = answer["data"]?.array, data.count == missing.count else {
            throw GatewayError.upstreamUnavailable("The upstream answered \(missing.count) embeddings inputs with a list of another length.")
        }
        var received: [Int: JSONValue] = [:]
        for item in data {
            guard let position = item["index"]?.int, missing.indices.contains(position), received[position] == nil, let vector = item["embedding"]
            else { throw GatewayError.upstreamUnavailable("The upstream answered embeddings with missing or repeated indexes.") }
            received[position] = vector
        }
        let now = Date()
        for (position, vector) in received {
            let index = missing[position]
            vectors[index] = vector
            if plan.control.writes {
                cache.keep(
                    CacheEntry(
                        scope: plan.scope, key: plan.keys[index], model: plan.model, body: vector.encoded, createdAt: now,
                        expiresAt: now.addingTimeInterval(plan.settings.ttl.seconds)))
            }
        }
        routed.value = UpstreamReply(
            body: Self.embeddingsList(vectors, count: plan.inputs.count, model: answer["model"] ?? .string(plan.model), usage: answer["usage"] ?? .null))
        return routed
    }

    /// An OpenAI embeddings list of `count` vectors, in input order.
    static func embeddingsList(_ vectors: [Int: JSONValue], count: Int, model: JSONValue, usage: JSONValue) -> ByteBuffer {
        let data: [JSONValue] = (0..<count).map { index in
            ["object": "embedding", "index": .integer(Int64(index)), "embedding": vectors[index] ?? .null]
        }
        return JSONValue.object(["object": "list", "data": .array(data), "model": model, "usage": usage]).encoded
    }
}
