import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("OpenAI clients served by an Anthropic upstream")
struct AnthropicProviderTests {
    static let yaml = """
        providers:
          - {name: claude, type: anthropic, base_url: UPSTREAM, api_key: sk-ant-test}
        models:
          - name: chat
            targets: [{provider: claude, model: claude-sonnet-4-5}]
        """

    @Test("a chat completion is translated both ways, tool call included")
    func nonStreamed() async throws {
        let upstream = UpstreamDouble { _ in
            .json(AnthropicWireSamples.message(model: "claude-sonnet-4-5-20250929", text: "Let me look.", toolUse: ("toolu_01", "get_weather", #"{"city":"Paris"}"#)))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body)
                #expect(reply.status == 200)
                #expect(reply.json["model"] as? String == "chat")
                let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
                #expect(choice["finish_reason"] as? String == "tool_calls")
                let message = try #require(choice["message"] as? [String: Any])
                #expect(message["content"] as? String == "Let me look.")
                let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
                #expect(call["id"] as? String == "toolu_01")
                #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)

                let received = try #require(upstream.requests.first)
                #expect(received.path == "/v1/messages")
                #expect(received.headers[HTTPField.Name("x-api-key")!] == "sk-ant-test")
                #expect(received.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01")
                #expect(received.headers[.authorization] == nil)
                #expect(received.text.contains(#""system":"Be brief.""#))
                #expect(received.text.contains(#""input_schema""#))
                #expect(received.text.contains(#""max_tokens":4096"#))
            }
        }
    }

    @Test("a stream arrives as OpenAI chunks with the tool call's arguments intact")
    func streamed() async throws {
        let events = AnthropicWireSamples.streamEvents(
            model: "claude-sonnet-4-5-20250929", pieces: ["Sure", ", checking."],
            toolUse: ("toolu_02", "get_weather", ["", #"{"city":"#, #" "Paris"}"#]))
        let upstream = UpstreamDouble { _ in .events(events.map { UpstreamDouble.ScriptedEvent($0) }) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let body = chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#)
                let (status, _, text) = try await gateway.stream(body: body)
                #expect(status == 200)
                let data = sseData(text)
                #expect(data.last == "[DONE]")
                let chunks = data.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                #expect(chunks.allSatisfy { $0["model"] as? String == "chat" && $0["object"] as? String == "chat.completion.chunk" })
                let deltas = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
                #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Sure, checking.")
                let arguments = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any] }
                    .compactMap { $0["arguments"] as? String }.joined()
                #expect(arguments == #"{"city": "Paris"}"#)
                let finish = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
                #expect(finish == ["tool_calls"])
                #expect((chunks.last?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 15)
                #expect(upstream.requests.first?.text.contains(#""stream":true"#) == true)
            }
        }
    }

    @Test("Anthropic errors keep their status and message; overloaded counts as a failure")
    func errors() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains("too long") {
                return .json(status: 400, AnthropicWireSamples.error(type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum"))
            }
            return .json(status: 529, AnthropicWireSamples.error(type: "overloaded_error", message: "Overloaded"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let tooLong = try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","user":"too long""#))
                #expect(tooLong.status == 400)
                #expect(tooLong.errorMessage.contains("prompt is too long"))
                let overloaded = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(overloaded.status == 502)
                #expect(overloaded.errorMessage.contains("Overloaded"))
                let embeddings = try await gateway.request("/v1/embeddings", body: #"{"model":"chat","input":"x"}"#)
                #expect(embeddings.status == 400)
                #expect(embeddings.errorMessage.contains("does not offer embeddings"))
            }
        }
    }
}
