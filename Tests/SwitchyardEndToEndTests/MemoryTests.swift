import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// Long-term memory end to end: an extractor (`up-extractor`) that finds facts by keyword, an embedder
/// (`up-embedding`) that encodes topics, and a chat model that records what it was sent.
@Suite("Long-term memory")
struct MemoryTests {
    static let topics = ["metric", "atlas", "vegetarian", "berlin"]
    static let facts = ["metric": "Prefers metric units", "atlas": "Works on project Atlas", "vegetarian": "Is vegetarian", "berlin": "Lives in Berlin"]

    static let yaml = GatewayHarness.singleModel.replacingOccurrences(
        of: "  - name: chat\n", with: "  - name: chat\n    memory: {enabled: true, extract_with: small, embedding_model: embed, top_k: 2}\n")
        + """

          - name: small
            targets:
              - provider: up
                model: up-extractor
                price: {input: 1, output: 2}
        """

    static func upstream(extractorAnswers: String? = nil) -> UpstreamDouble {
        UpstreamDouble { request in reply(to: request, extractorAnswers: extractorAnswers) }
    }

    /// The answer of the extractor, the embedder or the chat model to `request`.
    static func reply(to request: UpstreamDouble.RecordedRequest, extractorAnswers: String? = nil) -> UpstreamDouble.Reply {
        switch request.model {
        case "up-extractor":
            if let extractorAnswers { return .json(OpenAIWireSamples.chatCompletion(model: "up-extractor", content: extractorAnswers)) }
            // The turn is the user message of the request: only the user's own words name facts.
            let turn = request.text.lowercased().components(separatedBy: "assistant:").first ?? ""
            let found = topics.filter { turn.contains($0) }.compactMap { facts[$0] }
            let json = String(decoding: try! JSONSerialization.data(withJSONObject: ["facts": found]), as: UTF8.self)
            return .json(OpenAIWireSamples.chatCompletion(model: "up-extractor", content: json.replacingOccurrences(of: "\"", with: "\\\"")))
        case "up-embedding":
            let body = (try? JSONSerialization.jsonObject(with: Data(request.text.utf8))) as? [String: Any]
            let inputs = body?["input"] as? [String] ?? []
            let data = inputs.enumerated().map { index, text -> [String: Any] in
                ["object": "embedding", "index": index, "embedding": topics.map { text.lowercased().contains($0) ? 1.0 : 0.0 } + [0.05]]
            }
            let answer: [String: Any] = ["object": "list", "data": data, "model": "up-embedding", "usage": ["prompt_tokens": 1, "total_tokens": 1]]
            return .json(String(decoding: try! JSONSerialization.data(withJSONObject: answer), as: UTF8.self))
        default:
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Noted", "."], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Noted."))
        }
    }

    static func chat(_ text: String, user: String? = "u1") -> String {
        let member = user.map { #","user":"\#($0)""# } ?? ""
        return #"{"model":"chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"\#(text)"}]\#(member)}"#
    }

    /// The memories of `user`, once there are at least `count` (extraction runs off the request path).
    static func memories(_ gateway: GatewayClient, user: String = "u1", atLeast count: Int, key: String = GatewayHarness.masterKey) async throws
        -> [[String: Any]]
    {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let listed = try await gateway.request(.GET, "/v1/memories?user=\(user)", key: key)
            let data = listed.json["data"] as? [[String: Any]] ?? []
            if data.count >= count || ContinuousClock.now > deadline { return data }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until the extractor has been asked `count` times, then a little for what it stores.
    static func extractions(_ upstream: UpstreamDouble, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while upstream.requests.filter({ $0.model == "up-extractor" }).count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
    }

    @Test("facts are extracted after a turn, recalled verbatim into the user's next request, and not stored twice")
    func extractAndRecall() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let first = try await gateway.request("/v1/chat/completions", body: Self.chat("I always use metric units, please."))
                #expect(first.status == 200, "\(first.body)")
                #expect(first.headers.first(name: "x-switchyard-memory") == "recalled=0")
                let stored = try await Self.memories(gateway, atLeast: 1)
                #expect(stored.map { $0["text"] as? String } == ["Prefers metric units"])
                #expect((stored.first?["id"] as? String)?.hasPrefix("mem_") == true && stored.first?["user"] as? String == "u1")

                let second = try await gateway.request("/v1/chat/completions", body: Self.chat("How tall is Everest? Metric, as always."))
                #expect(second.headers.first(name: "x-switchyard-memory") == "recalled=1")
                let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                #expect(sent.contains(#"{"content":"Be brief.","role":"system"},{"content":"What you know about this user from earlier conversations:\n- Prefers metric units","role":"system"}"#), "\(sent)")
                // The same fact again is a duplicate.
                try await Self.extractions(upstream, 2)
                #expect(try await Self.memories(gateway, atLeast: 0).count == 1)

                // Another user of the same tenant has none.
                let other = try await gateway.request("/v1/chat/completions", body: Self.chat("Hello", user: "u2"))
                #expect(other.headers.first(name: "x-switchyard-memory") == "recalled=0")
                // A request without a user is left alone.
                let anonymous = try await gateway.request("/v1/chat/completions", body: Self.chat("Hello", user: nil))
                #expect(anonymous.headers.first(name: "x-switchyard-memory") == nil)
            }
        }
    }

    @Test("with more memories than top_k, the most similar to the new message are recalled")
    func topK() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                _ = try await gateway.request("/v1/chat/completions", body: Self.chat("I use metric, work on Atlas, am vegetarian and live in Berlin."))
                #expect(try await Self.memories(gateway, atLeast: 4).count == 4)
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat("Any vegetarian restaurants in Berlin?"))
                #expect(reply.headers.first(name: "x-switchyard-memory") == "recalled=2")
                let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                #expect(sent.contains("Is vegetarian") && sent.contains("Lives in Berlin"))
                #expect(!sent.contains("Prefers metric units") && !sent.contains("Works on project Atlas"))
            }
        }
    }

    @Test("Responses (user) and /v1/messages (metadata.user_id) recall the same memories")
    func otherEntryPoints() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                _ = try await gateway.request("/v1/chat/completions", body: Self.chat("I work on Atlas."))
                #expect(try await Self.memories(gateway, atLeast: 1).count == 1)
                let response = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"What am I working on?","user":"u1"}"#)
                #expect(response.status == 200, "\(response.body)")
                #expect(response.headers.first(name: "x-switchyard-memory") == "recalled=1")
                #expect(try #require(upstream.requests.last(where: { $0.model == "up-model" })).text.contains("Works on project Atlas"))
                let message = try await gateway.request(
                    "/v1/messages", body: #"{"model":"chat","max_tokens":20,"metadata":{"user_id":"u1"},"messages":[{"role":"user","content":"Remind me?"}]}"#,
                    headers: [("anthropic-version", "2023-06-01")])
                #expect(message.status == 200, "\(message.body)")
                #expect(message.headers.first(name: "x-switchyard-memory") == "recalled=1")
                #expect(try #require(upstream.requests.last(where: { $0.model == "up-model" })).text.contains("Works on project Atlas"))
            }
        }
    }

    @Test("an extraction answer that does not parse stores nothing")
    func unparsableExtraction() async throws {
        let upstream = Self.upstream(extractorAnswers: "Sure! The user likes metric units.")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                _ = try await gateway.request("/v1/chat/completions", body: Self.chat("I use metric units."))
                try await Self.extractions(upstream, 1)
                #expect(try await Self.memories(gateway, atLeast: 0).isEmpty)
            }
        }
    }

    @Test("memories are the tenant's; a user is forgotten by id or whole; bad requests are 400")
    func tenantsAndForgetting() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let red = try #require(try await gateway.request("/admin/teams", body: #"{"name":"red"}"#).json["id"] as? String)
                let blue = try #require(try await gateway.request("/admin/teams", body: #"{"name":"blue"}"#).json["id"] as? String)
                let redKey = try await gateway.createKey(#"{"name":"red-1","team":"\#(red)","models":["chat"]}"#).secret
                let blueKey = try await gateway.createKey(#"{"name":"blue-1","team":"\#(blue)","models":["chat"]}"#).secret
                #expect(try await gateway.request("/v1/chat/completions", body: Self.chat("I live in Berlin and use metric."), key: redKey).status == 200)
                let redMemories = try await Self.memories(gateway, atLeast: 2, key: redKey)
                #expect(redMemories.count == 2)
                #expect(try await Self.memories(gateway, atLeast: 0, key: blueKey).isEmpty, "another team's user of the same name has none")
                let blueReply = try await gateway.request("/v1/chat/completions", body: Self.chat("Where do I live?"), key: blueKey)
                #expect(blueReply.headers.first(name: "x-switchyard-memory") == "recalled=0")
                let id = try #require(redMemories.first?["id"] as? String)
                #expect(try await gateway.request(.DELETE, "/v1/memories/\(id)", key: blueKey).status == 404)
                #expect(try await gateway.request(.DELETE, "/v1/memories?user=u1", key: blueKey).json["deleted"] as? Int == 0)
                #expect(try await gateway.request(.DELETE, "/v1/memories/\(id)", key: redKey).status == 200)
                #expect(try await Self.memories(gateway, atLeast: 0, key: redKey).count == 1)
                let forgotten = try await gateway.request(.DELETE, "/v1/memories?user=u1", key: redKey)
                #expect(forgotten.json["deleted"] as? Int == 1)
                #expect(try await Self.memories(gateway, atLeast: 0, key: redKey).isEmpty)
                #expect(try await gateway.request(.GET, "/v1/memories", key: redKey).status == 400)
                #expect(try await gateway.request(.DELETE, "/v1/memories", key: redKey).status == 400)
            }
        }
    }

    @Test("streamed turns are learned from too: chat chunks, and an Anthropic upstream's own events on /v1/messages")
    func streamedTurns() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (status, headers, _) = try await gateway.stream(
                    body: #"{"model":"chat","stream":true,"user":"u1","messages":[{"role":"user","content":"I am vegetarian."}]}"#)
                #expect(status == 200)
                #expect(headers.first(name: "x-switchyard-memory") == "recalled=0")
                #expect(try await Self.memories(gateway, atLeast: 1).map { $0["text"] as? String } == ["Is vegetarian"])
            }
        }
        let anthropic = UpstreamDouble { request in
            if request.path.hasSuffix("/messages") {
                return .events(AnthropicWireSamples.streamEvents(model: "claude-sonnet-4-5", pieces: ["Noted", "."]).map { UpstreamDouble.ScriptedEvent($0) })
            }
            return Self.reply(to: request)
        }
        let yaml = """
            providers:
              - {name: claude, type: anthropic, base_url: UPSTREAM, api_key: sk-ant-test}
              - {name: up, type: openai, base_url: UPSTREAM/v1, api_key: sk-upstream-key}
            models:
              - name: chat
                memory: {enabled: true, extract_with: small, embedding_model: embed}
                targets: [{provider: claude, model: claude-sonnet-4-5}]
              - name: small
                targets: [{provider: up, model: up-extractor}]
              - name: embed
                targets: [{provider: up, model: up-embedding}]
            """
        try await anthropic.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let (status, headers, text) = try await gateway.stream(
                    "/v1/messages",
                    body: #"{"model":"chat","stream":true,"max_tokens":20,"metadata":{"user_id":"u1"},"messages":[{"role":"user","content":"I work on Atlas."}]}"#)
                #expect(status == 200, "\(text)")
                #expect(headers.first(name: "x-switchyard-memory") == "recalled=0")
                #expect(text.contains("message_stop"))
                #expect(try await Self.memories(gateway, atLeast: 1).map { $0["text"] as? String } == ["Works on project Atlas"])
            }
        }
    }

    @Test("memories that would push the newest turn out of the window are left out; the request is served")
    func memoriesOverTheWindow() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml.replacingOccurrences(
            of: "    memory: {enabled: true, extract_with: small, embedding_model: embed, top_k: 2}\n",
            with: "    memory: {enabled: true, extract_with: small, embedding_model: embed, top_k: 2}\n    context: {window_tokens: 300, reserve_output_tokens: 100}\n")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                _ = try await gateway.request("/v1/chat/completions", body: Self.chat("I use metric and live in Berlin."))
                #expect(try await Self.memories(gateway, atLeast: 2).count == 2)
                // A newest message that fits the window alone, but not with the memories beside it.
                let long = Array(repeating: "the quick brown fox jumps over the lazy dog", count: 19).joined(separator: " ")
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat(long))
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.headers.first(name: "x-switchyard-memory") == "recalled=0")
                #expect(try #require(upstream.requests.last(where: { $0.model == "up-model" })).text.contains("What you know") == false)
            }
        }
    }
}
