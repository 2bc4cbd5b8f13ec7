import Foundation
import NIOHTTP1
import SwitchyardTesting
import Synchronization
import Testing

/// The response cache, from outside: exact hits, the tenant boundary, `Cache-Control`, streams both ways, what is
/// never stored, the shared entry across dialects, purging and metrics.
@Suite("Response cache")
struct CacheTests {
    static let yaml = """
        cache:
          enabled: true
          ttl_seconds: 600
        providers:
          - name: up
            type: openai
            base_url: UPSTREAM
            api_key: sk-upstream-key
        models:
          - name: chat
            targets:
              - provider: up
                model: up-model
                price: {input: 1, output: 2}
          - name: fresh
            cache: {enabled: false}
            targets:
              - provider: up
                model: up-model
        """

    /// An upstream that answers each chat request with a numbered answer, so a cached answer is told from a new one.
    static func numberedUpstream() -> UpstreamDouble {
        let count = CallCounter()
        return UpstreamDouble { request in
            let number = count.next()
            if request.text.contains(#""stream":true"#) {
                let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Answer ", "\(number)"], includeUsage: true)
                return .events(chunks.map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Answer \(number)"))
        }
    }

    static func content(_ reply: GatewayClient.Reply) -> String? {
        ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
    }

    static func streamedText(_ text: String) -> String {
        sseData(text).filter { $0 != "[DONE]" }.compactMap { data -> String? in
            guard let chunk = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return nil }
            return ((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
        }.joined()
    }

    @Test("the same request again is a hit, whatever its member order; the upstream is called once")
    func exactHit() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let first = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0}"#)
                #expect(first.status == 200)
                #expect(first.headers.first(name: "x-switchyard-cache") == "miss")
                let second = try await gateway.request(
                    "/v1/chat/completions", body: #"{"temperature":0,"user":"someone","messages":[{"content":"Hi","role":"user"}],"model":"chat"}"#)
                #expect(second.status == 200)
                #expect(second.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(Self.content(second) == "Answer 1")
                #expect(second.json["model"] as? String == "chat")
                #expect(upstream.requests.count == 1)
                let other = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"Hello"}],"temperature":0}"#)
                #expect(other.headers.first(name: "x-switchyard-cache") == "miss", "a different request is a miss")
                #expect(upstream.requests.count == 2)
                let several = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","n":2,"messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(several.headers.first(name: "x-switchyard-cache") == "bypass", "several choices are not cached")
                let uncached = try await gateway.request("/v1/chat/completions", body: #"{"model":"fresh","messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(uncached.headers.first(name: "x-switchyard-cache") == nil, "a model with its cache off says nothing")
            }
        }
    }

    @Test("one tenant never gets another's cached answer; keys of one team share theirs")
    func tenantBoundary() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let teamA = try #require(try await gateway.request("/admin/teams", body: #"{"name":"a"}"#).json["id"] as? String)
                let teamB = try #require(try await gateway.request("/admin/teams", body: #"{"name":"b"}"#).json["id"] as? String)
                let a1 = try await gateway.createKey(#"{"name":"a1","team":"\#(teamA)"}"#).secret
                let a2 = try await gateway.createKey(#"{"name":"a2","team":"\#(teamA)"}"#).secret
                let b1 = try await gateway.createKey(#"{"name":"b1","team":"\#(teamB)"}"#).secret
                let solo = try await gateway.createKey(#"{"name":"solo"}"#).secret
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Secret plans?"}]}"#
                let first = try await gateway.request("/v1/chat/completions", body: body, key: a1)
                #expect(Self.content(first) == "Answer 1")
                let sameTeam = try await gateway.request("/v1/chat/completions", body: body, key: a2)
                #expect(sameTeam.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(Self.content(sameTeam) == "Answer 1")
                for (name, key) in [("another team", b1), ("a key without a team", solo), ("the master key", GatewayHarness.masterKey)] {
                    let reply = try await gateway.request("/v1/chat/completions", body: body, key: key)
                    #expect(reply.headers.first(name: "x-switchyard-cache") == "miss", "\(name)")
                    #expect(Self.content(reply) != "Answer 1", "\(name)")
                }
                #expect(upstream.requests.count == 4)
            }
        }
    }

    @Test("Cache-Control: no-store neither reads nor stores (bypass); no-cache stores but does not read; max-age bounds the age")
    func cacheControl() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Control"}]}"#
                let noStore = try await gateway.request("/v1/chat/completions", body: body, headers: [("cache-control", "no-store")])
                #expect(noStore.headers.first(name: "x-switchyard-cache") == "bypass")
                let afterNoStore = try await gateway.request("/v1/chat/completions", body: body, headers: [("cache-control", "no-cache")])
                #expect(afterNoStore.headers.first(name: "x-switchyard-cache") == "miss", "no-store kept nothing; no-cache does not read")
                #expect(Self.content(afterNoStore) == "Answer 2")
                let hit = try await gateway.request("/v1/chat/completions", body: body)
                #expect(hit.headers.first(name: "x-switchyard-cache") == "hit", "no-cache stored its answer")
                #expect(Self.content(hit) == "Answer 2")
                let fresh = try await gateway.request("/v1/chat/completions", body: body, headers: [("cache-control", "max-age=3600")])
                #expect(fresh.headers.first(name: "x-switchyard-cache") == "hit")
                try await Task.sleep(for: .milliseconds(1100))
                let tooOld = try await gateway.request("/v1/chat/completions", body: body, headers: [("cache-control", "max-age=0")])
                #expect(tooOld.headers.first(name: "x-switchyard-cache") == "miss")
                #expect(Self.content(tooOld) == "Answer 3")
                #expect(upstream.requests.count == 3)
            }
        }
    }

    @Test("an answer stored from a stream serves a plain request, and the other way round, as a well-formed stream")
    func streamsBothWays() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let plain = #"{"model":"chat","messages":[{"role":"user","content":"Plain first"}]}"#
                _ = try await gateway.request("/v1/chat/completions", body: plain)
                let replayed = try await gateway.stream(
                    body: #"{"model":"chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Plain first"}]}"#)
                #expect(replayed.status == 200)
                #expect(replayed.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(Self.streamedText(replayed.text) == "Answer 1")
                let events = sseData(replayed.text)
                #expect(events.last == "[DONE]")
                let usageChunk = try #require(events.dropLast().last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
                #expect(usageChunk["usage"] != nil, "the client asked for usage, so the replay carries it")
                #expect(usageChunk["model"] as? String == "chat")

                let streamed = #"{"model":"chat","stream":true,"messages":[{"role":"user","content":"Stream first"}]}"#
                let live = try await gateway.stream(body: streamed)
                #expect(live.headers.first(name: "x-switchyard-cache") == "miss")
                #expect(Self.streamedText(live.text) == "Answer 2")
                let whole = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"Stream first"}]}"#)
                #expect(whole.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(Self.content(whole) == "Answer 2")
                #expect((whole.json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
                #expect(upstream.requests.count == 2)
            }
        }
    }

    @Test("a cut stream and an upstream error are never stored")
    func failuresNotStored() async throws {
        let plainCalls = CallCounter()
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                // Every piece but the last, then the connection drops: no finish reason, no [DONE].
                let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Half", " an", " answer"])
                return .events(chunks.dropLast().map { .data($0) }, thenDie: true)
            }
            // A client error: not retried, so the first plain request fails with it.
            if plainCalls.next() == 1 { return .json(status: 400, #"{"error":{"message":"not today","type":"invalid_request_error"}}"#) }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Whole"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let streamed = #"{"model":"chat","stream":true,"messages":[{"role":"user","content":"Fragile"}]}"#
                _ = try? await gateway.stream(body: streamed)
                let plain = #"{"model":"chat","messages":[{"role":"user","content":"Fragile"}]}"#
                let failed = try await gateway.request("/v1/chat/completions", body: plain)
                #expect(failed.status == 400, "the cut stream was not stored, so this reached the upstream and failed")
                let whole = try await gateway.request("/v1/chat/completions", body: plain)
                #expect(whole.status == 200)
                #expect(whole.headers.first(name: "x-switchyard-cache") == "miss", "the error was not stored either")
                #expect(Self.content(whole) == "Whole")
                #expect(upstream.requests.filter { !$0.text.contains(#""stream":true"#) }.count == 2)
            }
        }
    }

    @Test("the same question through /v1/messages and /v1/chat/completions shares one entry")
    func sharedAcrossDialects() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let messages = #"{"model":"chat","max_tokens":64,"messages":[{"role":"user","content":"Shared"}]}"#
                let first = try await gateway.request("/v1/messages", body: messages)
                #expect(first.status == 200)
                #expect(first.headers.first(name: "x-switchyard-cache") == "miss")
                let hub = try #require(upstream.requests.first?.text).replacingOccurrences(of: #""model":"up-model""#, with: #""model":"chat""#)
                // The chat client asks what the Messages request became.
                let chat = try await gateway.request("/v1/chat/completions", body: hub)
                #expect(chat.headers.first(name: "x-switchyard-cache") == "hit", "\(hub)")
                #expect(Self.content(chat) == "Answer 1")
                let again = try await gateway.request("/v1/messages", body: messages)
                #expect(again.headers.first(name: "x-switchyard-cache") == "hit")
                let text = ((again.json["content"] as? [[String: Any]])?.first?["text"] as? String)
                #expect(text == "Answer 1")
                let streamed = try await gateway.stream(
                    "/v1/messages", body: #"{"model":"chat","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Shared"}]}"#)
                #expect(streamed.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(streamed.text.contains("event: message_stop"))
                #expect(streamed.text.contains("Answer 1"))
                #expect(upstream.requests.count == 1)
                // A Messages field the hub does not carry (it would reach an Anthropic upstream) is part of the key.
                let withTopK = try await gateway.request(
                    "/v1/messages", body: #"{"model":"chat","max_tokens":64,"top_k":5,"messages":[{"role":"user","content":"Shared"}]}"#)
                #expect(withTopK.headers.first(name: "x-switchyard-cache") == "miss")
            }
        }
    }

    @Test("a hit is free: no spend, counted in the cache metric; purge empties the cache, or one model's entries")
    func freeHitsAndPurge() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let key = try await gateway.createKey(#"{"name":"spender"}"#)
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Costly"}]}"#
                _ = try await gateway.request("/v1/chat/completions", body: body, key: key.secret)
                try await Task.sleep(for: .milliseconds(300))
                let spentAfterMiss = try await gateway.request(.GET, "/admin/keys/\(key.id)").json["spend_usd"] as? Double
                #expect((spentAfterMiss ?? 0) > 0)
                let hit = try await gateway.request("/v1/chat/completions", body: body, key: key.secret)
                #expect(hit.headers.first(name: "x-switchyard-cache") == "hit")
                try await Task.sleep(for: .milliseconds(300))
                let spentAfterHit = try await gateway.request(.GET, "/admin/keys/\(key.id)").json["spend_usd"] as? Double
                #expect(spentAfterHit == spentAfterMiss)
                let logs = try await RequestLogTests.logs(gateway, "limit=10") { rows in rows.contains { $0["cache"] as? String == "hit" } }
                #expect((logs.json["data"] as? [[String: Any]] ?? []).contains { $0["cache"] as? String == "hit" }, "the request log marks the hit")
                let metrics = try await gateway.request(.GET, "/metrics").body
                #expect(metrics.contains(#"switchyard_cache_requests_total{model="chat",result="hit"} 1"#), "\(metrics)")
                #expect(metrics.contains(#"switchyard_cache_requests_total{model="chat",result="miss"} 1"#))

                let wrongModel = try await gateway.request("/admin/cache/purge", body: #"{"model":"nope"}"#)
                #expect(wrongModel.status == 404)
                let purged = try await gateway.request("/admin/cache/purge", body: #"{"model":"chat"}"#)
                #expect(purged.status == 200, "\(purged.body)")
                let afterPurge = try await gateway.request("/v1/chat/completions", body: body, key: key.secret)
                #expect(afterPurge.headers.first(name: "x-switchyard-cache") == "miss")
                #expect(Self.content(afterPurge) == "Answer 2")
                let forbidden = try await gateway.request("/admin/cache/purge", body: "", key: key.secret)
                #expect(forbidden.status == 403 || forbidden.status == 401)
                let all = try await gateway.request("/admin/cache/purge")
                #expect(all.status == 200)
            }
        }
    }

    @Test("a key that may not use the model gets 403 even when the answer is cached")
    func allowListHolds() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let team = try #require(try await gateway.request("/admin/teams", body: #"{"name":"t"}"#).json["id"] as? String)
                let allowed = try await gateway.createKey(#"{"name":"allowed","team":"\#(team)"}"#).secret
                let limited = try await gateway.createKey(#"{"name":"limited","team":"\#(team)","models":["fresh"]}"#).secret
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Allowed?"}]}"#
                _ = try await gateway.request("/v1/chat/completions", body: body, key: allowed)
                let refused = try await gateway.request("/v1/chat/completions", body: body, key: limited)
                #expect(refused.status == 403)
            }
        }
    }

    @Test("embeddings are cached per input string: a batch with one new string sends only that string, in the request's order")
    func embeddingsPerInput() async throws {
        let upstream = UpstreamDouble { request in
            // Each string's vector is its length, so the answer shows which string each vector belongs to.
            let body = (try? JSONSerialization.jsonObject(with: Data(request.text.utf8))) as? [String: Any]
            let inputs = body?["input"] as? [String] ?? [(body?["input"] as? String) ?? ""]
            let data = inputs.enumerated().map { index, text in #"{"object":"embedding","index":\#(index),"embedding":[\#(text.count).0,1.0]}"# }
            return .json(#"{"object":"list","data":[\#(data.joined(separator: ","))],"model":"up-model","usage":{"prompt_tokens":\#(inputs.count),"total_tokens":\#(inputs.count)}}"#)
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                func vectors(_ reply: GatewayClient.Reply) -> [Double] {
                    (reply.json["data"] as? [[String: Any]] ?? []).sorted { ($0["index"] as? Int ?? 0) < ($1["index"] as? Int ?? 0) }
                        .compactMap { ($0["embedding"] as? [Double])?.first }
                }
                let first = try await gateway.request("/v1/embeddings", body: #"{"model":"chat","input":["a","bb"]}"#)
                #expect(first.status == 200, "\(first.body)")
                #expect(first.headers.first(name: "x-switchyard-cache") == "miss")
                #expect(vectors(first) == [1, 2])
                let second = try await gateway.request("/v1/embeddings", body: #"{"model":"chat","input":["ccc","a","bb"]}"#)
                #expect(second.headers.first(name: "x-switchyard-cache") == "miss")
                #expect(vectors(second) == [3, 1, 2], "the request's order, the cached vectors in their places")
                #expect(upstream.requests.last?.text.contains(#""input":["ccc"]"#) == true, "\(upstream.requests.last?.text ?? "")")
                let third = try await gateway.request("/v1/embeddings", body: #"{"model":"chat","input":"bb"}"#)
                #expect(third.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(vectors(third) == [2])
                #expect(upstream.requests.count == 2)
                let otherDimensions = try await gateway.request("/v1/embeddings", body: #"{"model":"chat","input":"bb","dimensions":2}"#)
                #expect(otherDimensions.headers.first(name: "x-switchyard-cache") == "miss", "the rest of the request is part of the key")
            }
        }
    }

    @Test("a Responses turn goes through the same cache, and says so")
    func responsesTurns() async throws {
        let upstream = Self.numberedUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let body = #"{"model":"chat","input":"Tell me once","store":false}"#
                let first = try await gateway.request("/v1/responses", body: body)
                #expect(first.status == 200, "\(first.body)")
                #expect(first.headers.first(name: "x-switchyard-cache") == "miss")
                let second = try await gateway.request("/v1/responses", body: body)
                #expect(second.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(second.body.contains("Answer 1"))
                let streamed = try await gateway.stream("/v1/responses", body: #"{"model":"chat","input":"Tell me once","store":false,"stream":true}"#)
                #expect(streamed.headers.first(name: "x-switchyard-cache") == "hit")
                #expect(streamed.text.contains("response.completed"))
                #expect(streamed.text.contains("Answer 1"))
                #expect(upstream.requests.count == 1)
            }
        }
    }

    static let semanticYAML = """
        cache:
          enabled: true
          semantic: {enabled: true, embedding_model: embed, threshold: 0.9}
        providers:
          - name: up
            type: openai
            base_url: UPSTREAM
            api_key: sk-upstream-key
        models:
          - name: chat
            targets:
              - provider: up
                model: up-model
          - name: embed
            cache: {enabled: false}
            targets:
              - provider: up
                model: up-embedding
        """

    /// Chat answers numbered as before; embeddings that put every question about France's capital close together.
    static func semanticUpstream() -> UpstreamDouble {
        let count = CallCounter()
        return UpstreamDouble { request in
            if request.path.hasSuffix("/embeddings") {
                let text = request.text.lowercased()
                let vector = text.contains("capital") && text.contains("france") ? "[0.9, 0.1, 0.0]" : "[0.0, 0.2, 0.95]"
                return .json(
                    #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":\#(vector)}],"model":"up-embedding","usage":{"prompt_tokens":5,"total_tokens":5}}"#)
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Answer \(count.next())"))
        }
    }

    @Test("a question close enough by embedding, the rest of the request identical, is a semantic hit; within its tenant only")
    func semanticHit() async throws {
        let upstream = Self.semanticUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.semanticYAML, upstream: base) { gateway in
                func ask(_ question: String, system: String = "Be brief.", key: String = GatewayHarness.masterKey) async throws -> GatewayClient.Reply {
                    try await gateway.request(
                        "/v1/chat/completions",
                        body: #"{"model":"chat","messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"\#(question)"}]}"#, key: key)
                }
                let first = try await ask("What is the capital of France?")
                #expect(first.headers.first(name: "x-switchyard-cache") == "miss")
                let close = try await ask("Which city is the capital of France?")
                #expect(close.headers.first(name: "x-switchyard-cache") == "semantic-hit")
                #expect(Self.content(close) == "Answer 1")
                let exact = try await ask("What is the capital of France?")
                #expect(exact.headers.first(name: "x-switchyard-cache") == "hit")
                let otherSystem = try await ask("Which city is the capital of France?", system: "Answer in French.")
                #expect(otherSystem.headers.first(name: "x-switchyard-cache") == "miss", "the rest of the request must be identical")
                let unrelated = try await ask("How do tides work?")
                #expect(unrelated.headers.first(name: "x-switchyard-cache") == "miss")
                let team = try #require(try await gateway.request("/admin/teams", body: #"{"name":"elsewhere"}"#).json["id"] as? String)
                let outsider = try await gateway.createKey(#"{"name":"outsider","team":"\#(team)"}"#).secret
                let foreign = try await ask("Which city is the capital of France?", key: outsider)
                #expect(foreign.headers.first(name: "x-switchyard-cache") == "miss", "another tenant's entries are never candidates")
                let chatCalls = upstream.requests.filter { $0.path.hasSuffix("/chat/completions") }.count
                #expect(chatCalls == 4)
                let metrics = try await gateway.request(.GET, "/metrics").body
                #expect(metrics.contains(#"switchyard_cache_requests_total{model="chat",result="semantic-hit"} 1"#))
            }
        }
    }

    @Test("semantic settings that name no configured model are refused at load")
    func semanticNeedsAModel() async throws {
        let yaml = Self.semanticYAML.replacingOccurrences(of: "embedding_model: embed", with: "embedding_model: missing")
        await #expect(throws: (any Error).self) {
            try await GatewayHarness.withGateway(yaml: yaml) { _ in }
        }
    }
}

/// Counts calls across concurrent requests.
final class CallCounter: Sendable {
    private let value = Mutex(0)

    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
