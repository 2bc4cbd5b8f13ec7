import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// An upstream that answers every chat request, streamed or not; a request that offers tools and has no tool
/// result yet gets a `get_weather` call.
func chatUpstream(streamDelay: Duration = .zero) -> UpstreamDouble {
    UpstreamDouble { request in
        let wantsTool = request.text.contains(#""tools""#) && !request.text.contains(#""role":"tool""#)
        if request.text.contains(#""stream":true"#) {
            if wantsTool {
                let head = #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up-model","#
                return .events([
                    .data(head + #""choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"#),
                    .data(head + #""choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}"#),
                    .data(head + #""choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}"#),
                    .data(head + #""choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#), .done,
                ])
            }
            let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hello", " there"], includeUsage: true)
            return .events(chunks.map { .data($0, after: streamDelay) } + [.done])
        }
        if wantsTool {
            return .json(
                #"{"id":"c2","object":"chat.completion","created":1,"model":"up-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}"#)
        }
        return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hi!"))
    }
}

extension GatewayClient {
    /// The SSE events of a streamed Responses request: each `event:` name with its decoded `data:`.
    func responseEvents(_ path: String, body: String? = nil, key: String = GatewayHarness.masterKey) async throws -> [(name: String, data: [String: Any])] {
        let text: String
        if let body {
            text = try await stream(path, body: body, key: key).text
        } else {
            text = try await request(.GET, path, key: key).body
        }
        return text.components(separatedBy: "\n\n").compactMap { frame -> (String, [String: Any])? in
            var name = ""
            var data = ""
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard !data.isEmpty, let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] else { return nil }
            return (name, object)
        }
    }
}

@Suite("Responses API")
struct ResponsesAPITests {
    @Test("create, continue with previous_response_id, retrieve, list input items, delete: the wire shapes the openai SDK reads")
    func lifecycle() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let first = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"Hi there","instructions":"Be brief.","metadata":{"k":"v"}}"#)
                #expect(first.status == 200, "\(first.body)")
                let id = try #require(first.json["id"] as? String)
                #expect(id.hasPrefix("resp_"))
                #expect(first.json["object"] as? String == "response")
                #expect(first.json["status"] as? String == "completed")
                #expect(first.json["model"] as? String == "chat")
                #expect(first.json["instructions"] as? String == "Be brief.")
                #expect((first.json["metadata"] as? [String: String]) == ["k": "v"])
                let output = try #require(first.json["output"] as? [[String: Any]])
                #expect(output.first?["type"] as? String == "message" && output.first?["role"] as? String == "assistant")
                let part = try #require((output.first?["content"] as? [[String: Any]])?.first)
                #expect(part["type"] as? String == "output_text" && part["text"] as? String == "Hi!")
                let usage = try #require(first.json["usage"] as? [String: Any])
                #expect(usage["input_tokens"] as? Int == 19 && usage["output_tokens"] as? Int == 10 && usage["total_tokens"] as? Int == 29)
                #expect(upstream.requests.last?.model == "up-model")

                let second = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"And again?","previous_response_id":"\#(id)"}"#)
                #expect(second.status == 200)
                #expect(second.json["previous_response_id"] as? String == id)
                // The upstream got the whole conversation; instructions are not carried to the next turn.
                let sent = try #require(upstream.requests.last).text
                #expect(sent.contains(#""messages":[{"content":"Hi there","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"And again?","role":"user"}]"#), "\(sent)")

                let secondID = try #require(second.json["id"] as? String)
                let retrieved = try await gateway.request(.GET, "/v1/responses/\(secondID)")
                #expect(retrieved.status == 200 && retrieved.json["id"] as? String == secondID)
                let items = try await gateway.request(.GET, "/v1/responses/\(secondID)/input_items")
                #expect(items.json["object"] as? String == "list")
                let data = try #require(items.json["data"] as? [[String: Any]])
                #expect(data.count == 1 && data.first?["type"] as? String == "message" && data.first?["role"] as? String == "user")
                #expect(items.json["first_id"] as? String == data.first?["id"] as? String && items.json["has_more"] as? Bool == false)

                let deleted = try await gateway.request(.DELETE, "/v1/responses/\(id)")
                #expect(deleted.json["deleted"] as? Bool == true && deleted.json["id"] as? String == id)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)").status == 404)
                #expect(try await gateway.request(.DELETE, "/v1/responses/\(id)").status == 404)
                let orphan = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","previous_response_id":"\#(id)"}"#)
                #expect(orphan.status == 404 && orphan.errorCode == "previous_response_not_found")

                let unstored = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","store":false}"#)
                #expect(unstored.status == 200)
                #expect(try await gateway.request(.GET, "/v1/responses/\(try #require(unstored.json["id"] as? String))").status == 404)

                let tokens = try await gateway.request("/v1/responses/input_tokens", body: #"{"model":"chat","input":"count these words"}"#)
                #expect(tokens.json["object"] as? String == "response.input_tokens" && (tokens.json["input_tokens"] as? Int ?? 0) > 0)
            }
        }
    }

    @Test("function calls come back as items, are never run, and their outputs continue the conversation")
    func functionCalls() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]"#
                let asked = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"Weather in Paris?","tools":\#(tools)}"#)
                let call = try #require((asked.json["output"] as? [[String: Any]])?.first)
                #expect(call["type"] as? String == "function_call")
                #expect(call["call_id"] as? String == "call_9" && call["name"] as? String == "get_weather")
                #expect(call["arguments"] as? String == #"{"city":"Paris"}"#)
                let id = try #require(asked.json["id"] as? String)
                let answered = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","previous_response_id":"\#(id)","tools":\#(tools),"input":[{"type":"function_call_output","call_id":"call_9","output":"sunny, 21C"}]}"#)
                #expect(answered.status == 200)
                let sent = try #require(upstream.requests.last).text
                #expect(sent.contains(#"{"content":"sunny, 21C","role":"tool","tool_call_id":"call_9"}"#), "\(sent)")
                #expect(sent.contains(#""tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"call_9","type":"function"}]"#))

                let hosted = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","tools":[{"type":"web_search"}]}"#)
                #expect(hosted.status == 400 && hosted.errorMessage.contains("'web_search'"))
                // file_search is the gateway's own (over its vector stores), and needs the stores named.
                let search = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","tools":[{"type":"file_search"}]}"#)
                #expect(search.status == 400 && search.errorMessage.contains("vector_store_ids"), "\(search.body)")
            }
        }
    }

    @Test("streaming: typed events with increasing sequence numbers, text and function-call deltas, then response.completed")
    func streaming() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let events = try await gateway.responseEvents("/v1/responses", body: #"{"model":"chat","input":"Hi","stream":true}"#)
                #expect(events.map(\.name) == [
                    "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                    "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                    "response.output_item.done", "response.completed",
                ])
                #expect(events.allSatisfy { $0.name == $0.data["type"] as? String })
                #expect(events.map { $0.data["sequence_number"] as? Int } == Array(0..<events.count))
                #expect(events.compactMap { $0.data["delta"] as? String } == ["Hello", " there"])
                let completed = try #require(events.last?.data["response"] as? [String: Any])
                #expect(completed["status"] as? String == "completed")
                #expect((completed["usage"] as? [String: Any])?["output_tokens"] as? Int == 12, "the stream's usage is the response's")
                let id = try #require(completed["id"] as? String)
                #expect((events.first?.data["response"] as? [String: Any])?["id"] as? String == id)
                // Stored when the stream ended, and replayed on request.
                let stored = try await gateway.request(.GET, "/v1/responses/\(id)")
                #expect(stored.status == 200 && stored.json["status"] as? String == "completed")
                let replay = try await gateway.responseEvents("/v1/responses/\(id)?stream=true")
                #expect(replay.first?.name == "response.created" && replay.last?.name == "response.completed")
                #expect(replay.compactMap { $0.data["delta"] as? String } == ["Hello there"])

                let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]"#
                let calls = try await gateway.responseEvents("/v1/responses", body: #"{"model":"chat","input":"Weather?","stream":true,"tools":\#(tools)}"#)
                #expect(calls.compactMap { $0.name == "response.function_call_arguments.delta" ? $0.data["delta"] as? String : nil } == [#"{"city":"#, #""Paris"}"#])
                let done = try #require(calls.first { $0.name == "response.function_call_arguments.done" })
                #expect(done.data["arguments"] as? String == #"{"city":"Paris"}"#)
                let item = try #require(calls.last { $0.name == "response.output_item.done" }?.data["item"] as? [String: Any])
                #expect(item["call_id"] as? String == "call_9" && item["status"] as? String == "completed")
            }
        }
    }

    @Test("background: answers at once, runs without the client, can be followed, and cancel stops the upstream call")
    func backgroundAndCancel() async throws {
        let upstream = chatUpstream(streamDelay: .milliseconds(400))
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let queued = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"Hi","background":true}"#)
                #expect(queued.status == 200)
                #expect(queued.json["status"] as? String == "queued" && queued.json["background"] as? Bool == true)
                let id = try #require(queued.json["id"] as? String)
                // Followed live while it runs, then finished.
                let followed = try await gateway.responseEvents("/v1/responses/\(id)?stream=true")
                #expect(followed.last?.name == "response.completed")
                let finished = try await gateway.request(.GET, "/v1/responses/\(id)")
                #expect(finished.json["status"] as? String == "completed")
                let text = ((finished.json["output"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])?.first?["text"] as? String
                #expect(text == "Hello there")

                let slow = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"Take your time","background":true}"#)
                let slowID = try #require(slow.json["id"] as? String)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await gateway.request(.GET, "/v1/responses/\(slowID)").json["status"] as? String == "in_progress")
                let cancelled = try await gateway.request("/v1/responses/\(slowID)/cancel")
                #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "cancelled")
                let deadline = ContinuousClock.now + .seconds(3)
                while upstream.cancelledStreamCount == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(upstream.cancelledStreamCount == 1, "the upstream call was dropped")
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await gateway.request(.GET, "/v1/responses/\(slowID)").json["status"] as? String == "cancelled")

                let foreground = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x"}"#)
                let refused = try await gateway.request("/v1/responses/\(try #require(foreground.json["id"] as? String))/cancel")
                #expect(refused.status == 400)
                let unstored = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","background":true,"store":false}"#)
                #expect(unstored.status == 400)
            }
        }
    }

    @Test("a team's responses are invisible to other tenants: 404 to read, continue, cancel, delete or list")
    func tenantIsolation() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var secrets: [String] = []
                for name in ["red", "blue"] {
                    let team = try #require(try await gateway.request("/admin/teams", body: #"{"name":"\#(name)"}"#).json["id"] as? String)
                    for member in 0..<2 {
                        let key = try await gateway.request("/admin/keys", body: #"{"name":"\#(name)-\#(member)","team":"\#(team)"}"#)
                        secrets.append(try #require(key.json["key"] as? String))
                    }
                }
                let (red, redToo, blue) = (secrets[0], secrets[1], secrets[2])
                let created = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"secret plans"}"#, key: red)
                let id = try #require(created.json["id"] as? String)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)", key: redToo).status == 200, "a teammate sees it")
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)", key: blue).status == 404)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)/input_items", key: blue).status == 404)
                #expect(try await gateway.request("/v1/responses/\(id)/cancel", key: blue).status == 404)
                #expect(try await gateway.request(.DELETE, "/v1/responses/\(id)", key: blue).status == 404)
                let hijack = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"go on","previous_response_id":"\#(id)"}"#, key: blue)
                #expect(hijack.status == 404)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)", key: red).status == 200, "nothing was deleted")
                // The master key is the operator's: it reads and deletes any tenant's responses.
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)").status == 200)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)/input_items").status == 200)
                #expect(try await gateway.request(.DELETE, "/v1/responses/\(id)").status == 200)
                #expect(try await gateway.request(.GET, "/v1/responses/\(id)", key: red).status == 404)
            }
        }
    }

    @Test("a conversation longer than responses.max_chain_depth is refused with a clear error")
    func chainDepth() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: "responses:\n  max_chain_depth: 2\n" + GatewayHarness.singleModel, upstream: base) { gateway in
                let first = try #require(try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"1"}"#).json["id"] as? String)
                let second = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"2","previous_response_id":"\#(first)"}"#)
                #expect(second.status == 200)
                let third = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","input":"3","previous_response_id":"\#(try #require(second.json["id"] as? String))"}"#)
                #expect(third.status == 400)
                #expect(third.errorMessage.contains("the most this gateway continues is 2"))
            }
        }
    }

    @Test("truncation: auto drops the oldest turns when the upstream says the conversation is too long; disabled passes the refusal on")
    func truncation() async throws {
        // The upstream takes at most three messages.
        let upstream = UpstreamDouble { request in
            let messages = request.text.components(separatedBy: #""role":"#).count - 1
            if messages > 3 {
                return .json(status: 400, OpenAIWireSamples.error("This model's maximum context length is 3 messages.", type: "invalid_request_error", code: "context_length_exceeded"))
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "ok \(messages)"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var previous = try #require(try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"one"}"#).json["id"] as? String)
                previous = try #require(
                    try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"two","previous_response_id":"\#(previous)"}"#).json["id"] as? String)
                let refused = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"three","previous_response_id":"\#(previous)"}"#)
                #expect(refused.status == 400 && refused.errorCode == "context_length_exceeded")
                let truncated = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","input":"three","previous_response_id":"\#(previous)","truncation":"auto"}"#)
                #expect(truncated.status == 200, "\(truncated.body)")
                #expect(truncated.json["truncation"] as? String == "auto")
                let sent = try #require(upstream.requests.last).text
                #expect(!sent.contains(#""one""#) && sent.contains(#""two""#) && sent.contains(#""three""#), "the oldest turn went first: \(sent)")
            }
        }
    }

    @Test("Idempotency-Key: a retry gets the first answer without a second model call; another body with the key is refused")
    func idempotency() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = #"{"model":"chat","input":"charge once"}"#
                let first = try await gateway.request("/v1/responses", body: body, headers: [("Idempotency-Key", "order-42")])
                let retry = try await gateway.request("/v1/responses", body: body, headers: [("Idempotency-Key", "order-42")])
                #expect(first.status == 200 && retry.status == 200)
                #expect(retry.json["id"] as? String == first.json["id"] as? String)
                #expect(retry.headers.first(name: "idempotent-replayed") == "true")
                #expect(upstream.requests.count == 1)
                let other = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"else"}"#, headers: [("Idempotency-Key", "order-42")])
                #expect(other.status == 422 && other.errorCode == "idempotency_key_reused")

                let chat = chatBody()
                let a = try await gateway.request("/v1/chat/completions", body: chat, headers: [("Idempotency-Key", "c-1")])
                let b = try await gateway.request("/v1/chat/completions", body: chat, headers: [("Idempotency-Key", "c-1")])
                #expect(a.body == b.body && upstream.requests.count == 2)
                // Another caller's key of the same name is its own.
                let secret = try await RateLimitTests.key(gateway, #"{"name":"other"}"#)
                let own = try await gateway.request("/v1/chat/completions", body: chat, key: secret, headers: [("Idempotency-Key", "c-1")])
                #expect(own.status == 200, "\(own.body)")
                #expect(upstream.requests.count == 3)
                #expect(try await gateway.request("/v1/chat/completions", body: chat, headers: [("Idempotency-Key", "bad key")]).status == 400)
            }
        }
    }

    @Test("GET /v1/compatibility lists each provider type's features from the gateway's own tables")
    func compatibility() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let manifest = try await gateway.request(.GET, "/v1/compatibility")
            #expect(manifest.status == 200)
            let providers = try #require(manifest.json["providers"] as? [String: [String: Any]])
            #expect(Set(providers.keys) == ["openai", "azure-openai", "anthropic", "gemini", "ollama", "bedrock"])
            #expect(providers["anthropic"]?["embeddings"] as? Bool == false)
            #expect(providers["anthropic"]?["count_tokens"] as? String == "native")
            #expect((providers["bedrock"]?["chat_completions"] as? [String: Any])?["json_schema"] as? Bool == false)
            let responses = try #require((manifest.json["apis"] as? [String: Any])?["responses"] as? [String: Any])
            #expect((responses["unsupported_tool_types"] as? [String])?.contains("web_search") == true)
            #expect(responses["tool_types"] as? [String] == ["function"])
        }
    }
}

@Suite("Responses across replicas", .enabled(if: PostgresTestDatabase.url != nil))
struct ResponsesReplicaTests {
    @Test("a conversation started on one replica continues on another sharing PostgreSQL; a cancel on one stops the work on the other")
    func continueElsewhere() async throws {
        let upstream = chatUpstream(streamDelay: .milliseconds(600))
        try await upstream.run { base in
            try await PostgresTestDatabase.with { location in
                let configuration = try GatewayHarness.configuration(yaml: GatewayHarness.singleModel, upstream: base, storage: location)
                try await GatewayHarness.withGateway(configuration: configuration) { first in
                    try await GatewayHarness.withGateway(configuration: configuration) { second in
                        let started = try await first.request("/v1/responses", body: #"{"model":"chat","input":"Hi there"}"#)
                        let id = try #require(started.json["id"] as? String)
                        let continued = try await second.request("/v1/responses", body: #"{"model":"chat","input":"More","previous_response_id":"\#(id)"}"#)
                        #expect(continued.status == 200, "\(continued.body)")
                        #expect(try #require(upstream.requests.last).text.contains(#"{"content":"Hi!","role":"assistant"}"#))
                        let background = try await second.request("/v1/responses", body: #"{"model":"chat","input":"bg","background":true}"#)
                        let backgroundID = try #require(background.json["id"] as? String)
                        let replayed = try await first.responseEvents("/v1/responses/\(backgroundID)?stream=true")
                        #expect(replayed.last?.name == "response.completed", "another replica replays it once it is done")

                        let running = try await second.request("/v1/responses", body: #"{"model":"chat","input":"long","background":true}"#)
                        let runningID = try #require(running.json["id"] as? String)
                        try await Task.sleep(for: .milliseconds(300))
                        let cancelled = try await first.request("/v1/responses/\(runningID)/cancel")
                        #expect(cancelled.json["status"] as? String == "cancelled")
                        let deadline = ContinuousClock.now + .seconds(5)
                        while upstream.cancelledStreamCount == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                        #expect(upstream.cancelledStreamCount == 1, "the replica running it saw the cancel and dropped the upstream call")
                        #expect(try await second.request(.GET, "/v1/responses/\(runningID)").json["status"] as? String == "cancelled")
                    }
                }
            }
        }
    }
}
