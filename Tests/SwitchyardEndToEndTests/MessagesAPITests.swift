import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("The Anthropic Messages API in front of any model")
struct MessagesAPITests {
    static let openAIYAML = GatewayHarness.singleModel
    static let anthropicYAML = """
        providers:
          - {name: claude, type: anthropic, base_url: UPSTREAM, api_key: sk-ant-test}
        models:
          - name: chat
            targets: [{provider: claude, model: claude-sonnet-4-5}]
        """

    static let toolRequest = #"""
        {"model":"chat","max_tokens":1024,"system":"Be brief.","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18°C"},{"type":"text","text":"And tomorrow?"}]}],"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"tool_choice":{"type":"auto"}}
        """#

    @Test("a Messages request is served by an OpenAI upstream, tool round trip included")
    func openAIUpstream() async throws {
        let response = try Fixture.text("response-tool-calls.json")
        let upstream = UpstreamDouble { _ in .json(response) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.openAIYAML, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/messages", body: Self.toolRequest, key: nil, headers: [("x-api-key", GatewayHarness.masterKey)])
                #expect(reply.status == 200)
                #expect(reply.json["type"] as? String == "message")
                #expect(reply.json["model"] as? String == "chat")
                #expect(reply.json["stop_reason"] as? String == "tool_use")
                let blocks = try #require(reply.json["content"] as? [[String: Any]])
                #expect(blocks.map { $0["type"] as? String } == ["tool_use", "tool_use"])
                #expect(blocks[0]["id"] as? String == "call_abc123")
                #expect((blocks[0]["input"] as? [String: Any])?["location"] as? String == "Boston, MA")

                let sent = try #require(upstream.requests.first).json
                let messages = try #require(sent["messages"] as? [[String: Any]])
                #expect(messages.map { $0["role"] as? String } == ["system", "user", "assistant", "tool", "user"])
                #expect(messages[3]["tool_call_id"] as? String == "toolu_1")
                let call = try #require((messages[2]["tool_calls"] as? [[String: Any]])?.first)
                #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)
                #expect(sent["model"] as? String == "up-model")
                #expect(sent["max_completion_tokens"] as? Int == 1024)
                #expect(sent["tool_choice"] as? String == "auto")
            }
        }
    }

    @Test("a streamed Messages request gets Anthropic's exact event sequence from an OpenAI upstream")
    func openAIUpstreamStream() async throws {
        let fixture = try Fixture.lines("stream-tool-calls.sse")
        let text = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Let me ", "check."])
        let usage = #"{"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":20,"total_tokens":70}}"#
        let upstream = UpstreamDouble { _ in .events((Array(text.dropLast()) + fixture + [usage]).map { .data($0) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.openAIYAML, upstream: base) { gateway in
                let body = Self.toolRequest.replacingOccurrences(of: #""max_tokens":1024"#, with: #""max_tokens":1024,"stream":true"#)
                let (status, headers, stream) = try await gateway.stream("/v1/messages", body: body)
                #expect(status == 200)
                #expect(headers.first(name: "content-type") == "text/event-stream")
                let events = Self.events(stream)
                #expect(events.map(\.name) == [
                    "message_start",
                    "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                    "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                    "content_block_start", "content_block_delta", "content_block_stop",
                    "message_delta", "message_stop",
                ])
                #expect(events.allSatisfy { $0.data["type"] as? String == $0.name })
                #expect((events[0].data["message"] as? [String: Any])?["model"] as? String == "chat")
                let toolStart = try #require(events[5].data["content_block"] as? [String: Any])
                #expect(toolStart["type"] as? String == "tool_use")
                #expect(toolStart["id"] as? String == "call_DdmO9pD3xa9XTPNJ32zg2hcA")
                let fragments = events[6...8].compactMap { ($0.data["delta"] as? [String: Any])?["partial_json"] as? String }.joined()
                #expect(fragments == #"{"location":"Boston, MA"}"#)
                let delta = try #require(events[13].data["delta"] as? [String: Any])
                #expect(delta["stop_reason"] as? String == "tool_use")
                #expect((events[13].data["usage"] as? [String: Any])?["output_tokens"] as? Int == 20)
                #expect(upstream.requests.first?.text.contains(#""include_usage":true"#) == true)
            }
        }
    }

    @Test("Anthropic to an Anthropic upstream passes through natively")
    func nativePassThrough() async throws {
        let upstream = UpstreamDouble { request in
            if request.path.hasSuffix("/count_tokens") { return .json(#"{"input_tokens":1234}"#) }
            if request.text.contains(#""stream":true"#) {
                return .events(AnthropicWireSamples.streamEvents(model: "claude-sonnet-4-5-20250929", pieces: ["Hi"]).map { UpstreamDouble.ScriptedEvent($0) })
            }
            return .json(AnthropicWireSamples.message(model: "claude-sonnet-4-5-20250929", text: "Native"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.anthropicYAML, upstream: base) { gateway in
                let body = Self.toolRequest.replacingOccurrences(of: #""tool_choice":{"type":"auto"}"#, with: #""tool_choice":{"type":"auto"},"top_k":5,"thinking":{"type":"enabled","budget_tokens":2048},"tools_extra":[{"type":"web_search_20250305","name":"web_search"}]"#)
                let reply = try await gateway.request("/v1/messages", body: body, headers: [("anthropic-version", "2023-06-01")])
                #expect(reply.status == 200)
                #expect(reply.json["model"] as? String == "chat")
                #expect((reply.json["content"] as? [[String: Any]])?.first?["text"] as? String == "Native", "\(reply.body)")
                #expect(upstream.requests.first?.text == body.replacingOccurrences(of: #""model":"chat""#, with: #""model":"claude-sonnet-4-5""#))

                let (_, _, stream) = try await gateway.stream("/v1/messages", body: body.replacingOccurrences(of: #""max_tokens":1024"#, with: #""max_tokens":1024,"stream":true"#))
                let events = Self.events(stream)
                #expect(events.first?.name == "message_start")
                #expect((events.first?.data["message"] as? [String: Any])?["model"] as? String == "chat")
                #expect(events.map(\.name).contains("ping"), "native events pass as they came")
                #expect(events.last?.name == "message_stop")

                let count = try await gateway.request("/v1/messages/count_tokens", body: #"{"model":"chat","messages":[{"role":"user","content":"hi"}],"max_tokens":5}"#)
                #expect(count.json["input_tokens"] as? Int == 1234)
                let counted = try #require(upstream.requests.last).json
                #expect(counted["max_tokens"] == nil, "count_tokens gets only the fields it accepts")
            }
        }
    }

    @Test("errors use the Anthropic shape; server tools are refused for non-Anthropic models")
    func errors() async throws {
        try await GatewayHarness.withGateway(yaml: Self.openAIYAML) { gateway in
            let unknown = try await gateway.request("/v1/messages", body: #"{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json["type"] as? String == "error")
            #expect((unknown.json["error"] as? [String: Any])?["type"] as? String == "not_found_error")
            let unauthenticated = try await gateway.request("/v1/messages", body: "{}", key: nil)
            #expect(unauthenticated.status == 401)
            #expect((unauthenticated.json["error"] as? [String: Any])?["type"] as? String == "authentication_error")
            let missing = try await gateway.request("/v1/messages", body: #"{"model":"chat","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(missing.status == 400)
            #expect((missing.json["error"] as? [String: Any])?["message"] as? String == "max_tokens: Field required")
            let serverTool = try await gateway.request("/v1/messages", body: #"{"model":"chat","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}"#)
            #expect(serverTool.status == 400)
            #expect((serverTool.json["error"] as? [String: Any])?["message"] as? String == "The server tool 'web_search' (web_search_20250305) runs only on Anthropic's own models.")
            let estimate = try await gateway.request("/v1/messages/count_tokens", body: #"{"model":"chat","messages":[{"role":"user","content":"hello there"}]}"#)
            #expect(estimate.status == 200)
            #expect((estimate.json["input_tokens"] as? Int ?? 0) > 0)
        }
    }

    /// The events of an Anthropic SSE stream.
    static func events(_ text: String) -> [(name: String, data: [String: Any])] {
        text.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("event: ") })?.dropFirst(7),
                let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
            else { return nil }
            return (String(name), object)
        }
    }
}

extension UpstreamDouble.RecordedRequest {
    /// The body as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
}
