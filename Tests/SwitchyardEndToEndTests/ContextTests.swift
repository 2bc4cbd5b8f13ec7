import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// Context management end to end: a model with a small window, a recording upstream, and long conversations.
@Suite("Context management")
struct ContextTests {
    /// `chat` with a 400-token window, 100 of them reserved for the answer: 300 for the request.
    static let yaml = GatewayHarness.singleModel.replacingOccurrences(
        of: "  - name: chat\n", with: "  - name: chat\n    context: {window_tokens: 400, reserve_output_tokens: 100, strategy: sliding-window}\n")

    /// About 30 tokens of text naming `label`.
    static func filler(_ label: String) -> String {
        "\(label): " + Array(repeating: "the quick brown fox jumps over the lazy dog", count: 3).joined(separator: " ")
    }

    /// A system message, `turns` user/assistant pairs and a newest user message, as chat JSON.
    static func messages(turns: Int, newest: String = "newest question") -> String {
        let messages = [#"{"role":"system","content":"You are terse."}"#] + turnItems(turns) + [#"{"role":"user","content":"\#(newest)"}"#]
        return "[" + messages.joined(separator: ",") + "]"
    }

    /// `turns` user/assistant pairs as message JSON, each about 30 tokens.
    static func turnItems(_ turns: Int) -> [String] {
        (0..<turns).flatMap { turn in
            [#"{"role":"user","content":"\#(filler("question\(turn)"))"}"#, #"{"role":"assistant","content":"\#(filler("answer\(turn)"))"}"#]
        }
    }

    static func header(_ reply: GatewayClient.Reply) -> [String: Int] {
        var counts: [String: Int] = [:]
        for pair in (reply.headers.first(name: "x-switchyard-context") ?? "").split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { counts[String(parts[0])] = Int(parts[1]) }
        }
        return counts
    }

    @Test("a long history is cut to the most recent turns that fit; the system message and the newest turn always go")
    func slidingWindow() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":\#(Self.messages(turns: 12))}"#)
                #expect(reply.status == 200, "\(reply.body)")
                let sent = try #require(upstream.requests.last).text
                #expect(sent.contains("You are terse."))
                #expect(sent.contains("newest question"))
                #expect(!sent.contains("question0:"), "the oldest turn went first")
                #expect(sent.contains("question11:") && sent.contains("answer11:"), "the most recent turn stayed")
                let counts = Self.header(reply)
                let roles = sent.components(separatedBy: #""role":"#).count - 1
                #expect(counts["kept"] == roles, "kept counts the messages sent: \(counts)")
                #expect((counts["dropped"] ?? 0) > 0 && (counts["dropped"] ?? 0) % 2 == 0, "whole turns go: \(counts)")
                #expect((counts["kept"] ?? 0) + (counts["dropped"] ?? 0) == 26)
                #expect((counts["tokens"] ?? 0) <= 300)
                #expect(counts["summarized"] == 0 && counts["retrieved"] == 0)
                // Each kept turn is whole: a question sent has its answer.
                for turn in 0..<12 where sent.contains("question\(turn):") { #expect(sent.contains("answer\(turn):")) }
            }
        }
    }

    @Test("a request that fits is sent whole, with the header")
    func fits() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":\#(Self.messages(turns: 1))}"#)
                #expect(reply.status == 200)
                let counts = Self.header(reply)
                #expect(counts["kept"] == 4 && counts["dropped"] == 0, "\(counts)")
                #expect(try #require(upstream.requests.last).text.contains("question0:"))
                // A model without a context section gets no header.
                let embedReply = try await gateway.request("/v1/chat/completions", body: #"{"model":"embed","messages":[{"role":"user","content":"hi"}]}"#)
                #expect(embedReply.headers.first(name: "x-switchyard-context") == nil)
            }
        }
    }

    @Test("a newest turn too large for the window alone is a 400 context_length_exceeded, and no upstream call")
    func newestTooLarge() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let huge = Array(repeating: Self.filler("huge"), count: 12).joined(separator: " ")
                for stream in [false, true] {
                    let reply = try await gateway.request(
                        "/v1/chat/completions", body: #"{"model":"chat","stream":\#(stream),"messages":\#(Self.messages(turns: 2, newest: huge))}"#)
                    #expect(reply.status == 400)
                    #expect(reply.errorCode == "context_length_exceeded")
                }
                #expect(upstream.requests.isEmpty)
            }
        }
    }

    @Test("a tool call and its result are dropped or kept together")
    func toolPairs() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                var messages = [#"{"role":"system","content":"You are terse."}"#]
                for turn in 0..<8 {
                    messages.append(#"{"role":"user","content":"\#(Self.filler("question\(turn)"))"}"#)
                    messages.append(
                        #"{"role":"assistant","content":null,"tool_calls":[{"id":"call_\#(turn)","type":"function","function":{"name":"lookup","arguments":"{\"n\":\#(turn)}"}}]}"#)
                    messages.append(#"{"role":"tool","tool_call_id":"call_\#(turn)","content":"\#(Self.filler("result\(turn)"))"}"#)
                }
                messages.append(#"{"role":"user","content":"newest question"}"#)
                let reply = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":[\#(messages.joined(separator: ","))]}"#)
                #expect(reply.status == 200, "\(reply.body)")
                let sent = try #require(upstream.requests.last).text
                #expect((Self.header(reply)["dropped"] ?? 0) > 0)
                for turn in 0..<8 {
                    let call = sent.contains(#""id":"call_\#(turn)""#)
                    let result = sent.contains(#""tool_call_id":"call_\#(turn)""#)
                    #expect(call == result, "turn \(turn): call sent \(call), result sent \(result)")
                }
            }
        }
    }

    @Test("Responses and /v1/messages requests are fitted the same way, with the header")
    func otherEntryPoints() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let items = Self.turnItems(12) + [#"{"role":"user","content":"newest question"}"#]
                let response = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","instructions":"You are terse.","input":[\#(items.joined(separator: ","))]}"#)
                #expect(response.status == 200, "\(response.body)")
                #expect((Self.header(response)["dropped"] ?? 0) > 0, "\(response.headers)")
                var sent = try #require(upstream.requests.last).text
                #expect(!sent.contains("question0:") && sent.contains("question11:") && sent.contains("You are terse."))

                let anthropic = try await gateway.request(
                    "/v1/messages",
                    body: #"{"model":"chat","max_tokens":50,"system":"You are terse.","messages":[\#(items.joined(separator: ","))]}"#,
                    headers: [("anthropic-version", "2023-06-01")])
                #expect(anthropic.status == 200, "\(anthropic.body)")
                #expect((Self.header(anthropic)["dropped"] ?? 0) > 0, "\(anthropic.headers) \(String(describing: upstream.requests.last?.text))")
                sent = try #require(upstream.requests.last).text
                #expect(!sent.contains("question0:") && sent.contains("question11:") && sent.contains("newest question"))
            }
        }
    }

    @Test("a /v1/messages request to an Anthropic upstream keeps its own fields when its history is fitted")
    func anthropicPassthroughKeepsItsFields() async throws {
        let upstream = UpstreamDouble { _ in .json(AnthropicWireSamples.message(model: "claude-sonnet-4-5-20250929", text: "Sure.")) }
        let yaml = """
            providers:
              - {name: claude, type: anthropic, base_url: UPSTREAM, api_key: sk-ant-test}
            models:
              - name: chat
                context: {window_tokens: 400, reserve_output_tokens: 100}
                targets: [{provider: claude, model: claude-sonnet-4-5}]
            """
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let items = Self.turnItems(12) + [#"{"role":"user","content":"newest question"}"#]
                let reply = try await gateway.request(
                    "/v1/messages",
                    body: #"{"model":"chat","max_tokens":50,"top_k":5,"metadata":{"user_id":"u-1"},"system":"You are terse.","messages":[\#(items.joined(separator: ","))]}"#,
                    headers: [("anthropic-version", "2023-06-01")])
                #expect(reply.status == 200, "\(reply.body)")
                #expect((Self.header(reply)["dropped"] ?? 0) > 0)
                let sent = try #require(upstream.requests.last).text
                #expect(sent.contains(#""top_k":5"#) && sent.contains(#""user_id":"u-1""#), "Anthropic's own fields stay: \(sent)")
                #expect(!sent.contains("question0:") && sent.contains("question11:") && sent.contains("You are terse."))
            }
        }
    }

    @Test("a conversation's stored history is fitted like a client's")
    func conversationHistory() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let created = try await gateway.request("/v1/conversations", body: #"{"items":[\#(Self.turnItems(10).joined(separator: ","))]}"#)
                let id = try #require(created.json["id"] as? String)
                let reply = try await gateway.request(
                    "/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"newest question"}]}"#,
                    headers: [("x-switchyard-conversation", id)])
                #expect(reply.status == 200, "\(reply.body)")
                #expect((Self.header(reply)["dropped"] ?? 0) > 0)
                let sent = try #require(upstream.requests.last).text
                #expect(!sent.contains("question0:") && sent.contains("question9:") && sent.contains("newest question"))
            }
        }
    }
}

/// Summaries and retrieval, against an upstream that answers chat (`up-model`), writes summaries
/// (`up-summarizer`: "S<n>" naming how many questions it was shown) and embeds by topic (`up-embedding`: a
/// vector per city named in the text).
@Suite("Context management: summarize and retrieve")
struct ContextStrategyTests {
    static func yaml(_ context: String) -> String {
        GatewayHarness.singleModel
            .replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    context: \(context)\n")
            + """

              - name: small
                targets:
                  - provider: up
                    model: up-summarizer
                    price: {input: 1, output: 2}
            """
    }

    static let cities = ["paris", "rome", "tokyo", "lima", "oslo", "cairo"]

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in
            switch request.model {
            case "up-summarizer":
                let questions = request.text.components(separatedBy: "question").count - 1
                return .json(OpenAIWireSamples.chatCompletion(model: "up-summarizer", content: "S\(questions)"))
            case "up-embedding":
                guard let body = try? JSONSerialization.jsonObject(with: Data(request.text.utf8)) as? [String: Any],
                    let inputs = body["input"] as? [String]
                else { return .json(OpenAIWireSamples.embeddings(model: "up-embedding")) }
                let data = inputs.enumerated().map { index, text -> [String: Any] in
                    let vector = cities.map { text.lowercased().contains($0) ? 1.0 : 0.0 } + [0.01]
                    return ["object": "embedding", "index": index, "embedding": vector]
                }
                let answer: [String: Any] = [
                    "object": "list", "data": data, "model": "up-embedding", "usage": ["prompt_tokens": 5, "total_tokens": 5],
                ]
                return .json(String(decoding: try! JSONSerialization.data(withJSONObject: answer), as: UTF8.self))
            default:
                return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hi!"))
            }
        }
    }

    static func turn(_ index: Int, city: String? = nil) -> [String] {
        let topic = city ?? "nothing in particular"
        return [
            #"{"role":"user","content":"\#(ContextTests.filler("question\(index) about \(topic)"))"}"#,
            #"{"role":"assistant","content":"\#(ContextTests.filler("answer\(index)"))"}"#,
        ]
    }

    static func body(_ turns: [[String]], newest: String) -> String {
        let messages = [#"{"role":"system","content":"You are terse."}"#] + turns.flatMap { $0 } + [#"{"role":"user","content":"\#(newest)"}"#]
        return #"{"model":"chat","messages":[\#(messages.joined(separator: ","))]}"#
    }

    @Test("summarize: the oldest turns become one system message after the system prompt; the next turn extends the stored summary")
    func summarize() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("{window_tokens: 500, reserve_output_tokens: 100, strategy: summarize, summarize_with: small}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                var turns = (0..<12).map { Self.turn($0) }
                let first = try await gateway.request("/v1/chat/completions", body: Self.body(turns, newest: "newest question"))
                #expect(first.status == 200, "\(first.body)")
                let counts = ContextTests.header(first)
                #expect((counts["summarized"] ?? 0) > 0 && counts["dropped"] == 0, "\(counts)")
                let summaries = upstream.requests.filter { $0.model == "up-summarizer" }
                #expect(summaries.count == 1, "one summarize_with call")
                let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                let summarizedTurns = (counts["summarized"] ?? 0) / 2
                #expect(sent.contains(#"{"content":"You are terse.","role":"system"},{"content":"Summary of earlier conversation: S\#(summarizedTurns)","role":"system"}"#), "\(sent)")
                #expect(!sent.contains("question0 "))

                // The next turn: the history grew by one turn. The stored summary is extended, not rewritten: the
                // summarizer sees only the turns after it.
                turns.append(Self.turn(12))
                try await Task.sleep(for: .milliseconds(600))
                let second = try await gateway.request("/v1/chat/completions", body: Self.body(turns, newest: "another question"))
                #expect(second.status == 200)
                let again = upstream.requests.filter { $0.model == "up-summarizer" }
                #expect(again.count <= 2)
                if again.count == 2 {
                    let prompt = again[1].text
                    #expect(prompt.contains("Summary so far:\\nS\(summarizedTurns)"), "\(prompt)")
                    #expect(!prompt.contains("question0 "), "the turns already summarized are not sent again")
                }
                // The same history again: the summary is reused, no new call.
                let before = upstream.requests.filter { $0.model == "up-summarizer" }.count
                try await Task.sleep(for: .milliseconds(600))
                let third = try await gateway.request("/v1/chat/completions", body: Self.body(turns, newest: "another question"))
                #expect(third.status == 200)
                #expect(upstream.requests.filter { $0.model == "up-summarizer" }.count == before)
            }
        }
    }

    @Test("retrieve: the older turns most similar to the new message come back in their original order, beside the recent ones")
    func retrieve() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("{window_tokens: 400, reserve_output_tokens: 100, strategy: retrieve, embedding_model: embed, retrieve_top_k: 1}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                // Turn 1 is about Oslo; the newest question too.
                let turns = (0..<12).map { Self.turn($0, city: $0 == 1 ? "oslo" : nil) }
                let reply = try await gateway.request("/v1/chat/completions", body: Self.body(turns, newest: "What about Oslo again?"))
                #expect(reply.status == 200, "\(reply.body)")
                let counts = ContextTests.header(reply)
                #expect(counts["retrieved"] == 2, "\(counts)")
                #expect((counts["dropped"] ?? 0) > 0)
                let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                #expect(sent.contains("question1 about oslo"))
                #expect(!sent.contains("question0 ") && !sent.contains("question2 "))
                #expect(sent.contains("question11 "))
                let oslo = try #require(sent.range(of: "question1 about oslo"))
                let recent = try #require(sent.range(of: "question11 "))
                #expect(oslo.lowerBound < recent.lowerBound, "original order")
                // Each turn's embedding is made once: the same history again embeds only the new message.
                try await Task.sleep(for: .milliseconds(600))
                let embeddingsBefore = upstream.requests.filter { $0.model == "up-embedding" }.count
                _ = try await gateway.request("/v1/chat/completions", body: Self.body(turns, newest: "And Oslo?"))
                let lastEmbedding = try #require(upstream.requests.last(where: { $0.model == "up-embedding" })).text
                #expect(upstream.requests.filter { $0.model == "up-embedding" }.count == embeddingsBefore + 1)
                #expect(!lastEmbedding.contains("question"), "only the new message: \(lastEmbedding)")
            }
        }
    }

    @Test("summaries belong to their tenant: another team with the same history gets its own, a teammate reuses the team's")
    func summariesPerTenant() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("{window_tokens: 500, reserve_output_tokens: 100, strategy: summarize, summarize_with: small}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let red = try #require(try await gateway.request("/admin/teams", body: #"{"name":"red"}"#).json["id"] as? String)
                let blue = try #require(try await gateway.request("/admin/teams", body: #"{"name":"blue"}"#).json["id"] as? String)
                // Keys limited to `chat`: the summarizer is called on their behalf all the same.
                let redKey = try await gateway.createKey(#"{"name":"red-1","team":"\#(red)","models":["chat"]}"#).secret
                let redMate = try await gateway.createKey(#"{"name":"red-2","team":"\#(red)","models":["chat"]}"#).secret
                let blueKey = try await gateway.createKey(#"{"name":"blue-1","team":"\#(blue)","models":["chat"]}"#).secret
                let body = Self.body((0..<12).map { Self.turn($0) }, newest: "newest question")
                func summaries() -> Int { upstream.requests.filter { $0.model == "up-summarizer" }.count }

                #expect(try await gateway.request("/v1/chat/completions", body: body, key: redKey).status == 200)
                #expect(summaries() == 1)
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await gateway.request("/v1/chat/completions", body: body, key: blueKey).status == 200)
                #expect(summaries() == 2, "another tenant's summary is never read")
                #expect(try await gateway.request("/v1/chat/completions", body: body, key: redMate).status == 200)
                #expect(summaries() == 2, "the team's stored summary is reused")
            }
        }
    }

    @Test("summarize over /v1/messages and retrieve over Responses: the same fitting, the same header")
    func otherEntryPoints() async throws {
        let upstream = Self.upstream()
        let summarizing = Self.yaml("{window_tokens: 500, reserve_output_tokens: 100, strategy: summarize, summarize_with: small}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: summarizing, upstream: base) { gateway in
                let messages = (0..<12).flatMap { Self.turn($0) } + [#"{"role":"user","content":"newest question"}"#]
                let reply = try await gateway.request(
                    "/v1/messages",
                    body: #"{"model":"chat","max_tokens":50,"system":"You are terse.","messages":[\#(messages.joined(separator: ","))]}"#,
                    headers: [("anthropic-version", "2023-06-01")])
                #expect(reply.status == 200, "\(reply.body)")
                let counts = ContextTests.header(reply)
                #expect((counts["summarized"] ?? 0) > 0, "\(counts)")
                let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                #expect(sent.contains("Summary of earlier conversation: S"), "\(sent)")
            }
        }
        let retrieving = Self.yaml("{window_tokens: 400, reserve_output_tokens: 100, strategy: retrieve, embedding_model: embed, retrieve_top_k: 1}")
        let second = Self.upstream()
        try await second.run { base in
            try await GatewayHarness.withGateway(yaml: retrieving, upstream: base) { gateway in
                let items = (0..<12).flatMap { Self.turn($0, city: $0 == 2 ? "lima" : nil) } + [#"{"role":"user","content":"Back to Lima?"}"#]
                let reply = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":[\#(items.joined(separator: ","))]}"#)
                #expect(reply.status == 200, "\(reply.body)")
                #expect(ContextTests.header(reply)["retrieved"] == 2, "\(reply.headers)")
                let sent = try #require(second.requests.last(where: { $0.model == "up-model" })).text
                #expect(sent.contains("question2 about lima") && !sent.contains("question1 ") && sent.contains("question11 "))
            }
        }
    }
}
