import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// Output guardrails over streamed answers, end to end: in each client API and from an Anthropic upstream speaking
/// its own events, what the client reads is what the guardrails make of the whole answer.
@Suite("Guardrails on streamed answers")
struct GuardrailStreamTests {
    static let guardrails = """

        guardrails:
          - {name: leaks, type: pii, entities: [email, secret], action: redact, on: [input, output]}
          - {name: stop, type: words, words: [launch codes], action: block, on: [output]}
        """

    /// Pieces of an answer whose email and key arrive split across events.
    static let leakyPieces = ["Write to ops@exa", "mple.com with key sk-ant-abcdefghijklmnopqrstuvwx", " today."]
    static let redacted = "Write to [EMAIL_1] with key [SECRET_1] today."
    static let blockedPieces = ["Here are the launch", " codes: 0000", "."]

    static let anthropicYAML = """
        providers:
          - {name: claude, type: anthropic, base_url: UPSTREAM, api_key: sk-ant-test}
        models:
          - name: chat
            guardrails: [leaks, stop]
            targets: [{provider: claude, model: claude-sonnet-4-5}]
        """ + guardrails

    static let openAIYAML = GatewayHarness.singleModel.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [leaks, stop]\n")
        + guardrails

    static func messages(_ text: String) -> String {
        #"{"model":"chat","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"\#(text)"}]}"#
    }

    /// The joined text deltas of an Anthropic stream.
    static func text(_ events: [(name: String, data: [String: Any])]) -> String {
        events.filter { $0.name == "content_block_delta" }.compactMap { ($0.data["delta"] as? [String: Any])?["text"] as? String }.joined()
    }

    @Test("Anthropic upstream, native Messages events: a split email and key are redacted; blocked words end the stream with an error event")
    func anthropicNative() async throws {
        let upstream = UpstreamDouble { request in
            let pieces = request.text.contains("codes") ? Self.blockedPieces : Self.leakyPieces
            return .events(AnthropicWireSamples.streamEvents(model: "claude-sonnet-4-5-20250929", pieces: pieces).map { UpstreamDouble.ScriptedEvent($0) })
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.anthropicYAML, upstream: base) { gateway in
                let (status, _, stream) = try await gateway.stream("/v1/messages", body: Self.messages("hello"))
                #expect(status == 200, "\(stream)")
                let events = MessagesAPITests.events(stream)
                #expect(Self.text(events) == Self.redacted, "\(stream)")
                #expect(!stream.contains("ops@exa") && !stream.contains("mple.com") && !stream.contains("sk-ant-abc"), "\(stream)")
                #expect(events.first?.name == "message_start" && events.last?.name == "message_stop", "\(events.map(\.name))")
                let lastDelta = try #require(events.map(\.name).lastIndex(of: "content_block_delta"))
                let blockStop = try #require(events.map(\.name).firstIndex(of: "content_block_stop"))
                #expect(lastDelta < blockStop, "what was held goes out before its block ends")

                let (_, _, refused) = try await gateway.stream("/v1/messages", body: Self.messages("the codes please"))
                let refusedEvents = MessagesAPITests.events(refused)
                let error = try #require(refusedEvents.last)
                #expect(error.name == "error", "\(refused)")
                let message = (error.data["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("'stop'") && message.contains("answer"), "\(refused)")
                #expect(!refused.contains("launch") && !refused.contains("0000"), "\(refused)")
                #expect(!refusedEvents.contains { $0.name == "message_stop" }, "\(refused)")

                let metrics = try await gateway.request(.GET, "/metrics", key: nil).body
                #expect(metrics.contains(#"switchyard_guardrail_actions_total{guardrail="leaks",action="redact",direction="output"} 1"#), "\(metrics)")
                #expect(metrics.contains(#"switchyard_guardrail_actions_total{guardrail="stop",action="block",direction="output"} 1"#), "\(metrics)")
            }
        }
    }

    @Test("Messages API in front of an OpenAI upstream: the translated stream is screened the same way")
    func messagesFromOpenAI() async throws {
        let upstream = UpstreamDouble { request in
            let pieces = request.text.contains("codes") ? Self.blockedPieces : Self.leakyPieces
            return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: pieces, includeUsage: true).map { .data($0) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.openAIYAML, upstream: base) { gateway in
                let (status, _, stream) = try await gateway.stream("/v1/messages", body: Self.messages("hello"))
                #expect(status == 200, "\(stream)")
                let events = MessagesAPITests.events(stream)
                #expect(Self.text(events) == Self.redacted, "\(stream)")
                #expect(events.last?.name == "message_stop", "\(events.map(\.name))")

                let (_, _, refused) = try await gateway.stream("/v1/messages", body: Self.messages("the codes please"))
                #expect(MessagesAPITests.events(refused).last?.name == "error", "\(refused)")
                #expect(!refused.contains("launch") && !refused.contains("message_stop"), "\(refused)")
            }
        }
    }

    @Test("Responses API stream: text deltas are screened; the stored response holds the redacted text")
    func responses() async throws {
        let upstream = UpstreamDouble { _ in
            .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: Self.leakyPieces, includeUsage: true).map { .data($0) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.openAIYAML, upstream: base) { gateway in
                let events = try await gateway.responseEvents("/v1/responses", body: #"{"model":"chat","input":"hello","stream":true}"#)
                let text = events.filter { $0.name == "response.output_text.delta" }.compactMap { $0.data["delta"] as? String }.joined()
                #expect(text == Self.redacted, "\(events.map(\.name))")
                let done = events.first { $0.name == "response.output_text.done" }?.data["text"] as? String
                #expect(done == Self.redacted)
                #expect(events.last?.name == "response.completed", "\(events.map(\.name))")
            }
        }
    }

    @Test("the answer's placeholders are numbered on from the request's and never reuse one (mask could put its original back)")
    func numberingGoesOn() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                let pieces = ["Replying to ann@exa", "mple.com, copying bob@", "example.org."]
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: pieces, includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Replying to ann@example.com, copying bob@example.org."))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.openAIYAML, upstream: base) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Answer ann@example.com"}]}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body)
                let content = ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
                #expect(content == "Replying to [EMAIL_2], copying [EMAIL_3].", "\(reply.body)")
                #expect(reply.headers.first(name: "x-switchyard-guardrails") == "leaks=redact:3", "\(reply.headers)")

                let streamed = try await gateway.stream(body: body.replacingOccurrences(of: #""model":"chat","#, with: #""model":"chat","stream":true,"#))
                #expect(GuardrailsTests.streamedContent(streamed.text) == "Replying to [EMAIL_2], copying [EMAIL_3].", "\(streamed.text)")
                #expect(streamed.headers.first(name: "x-switchyard-guardrails") == "leaks=redact:1", "the header tells only what was done to the request")
            }
        }
    }

    @Test("a stream to a model with flag-only output guardrails passes unchanged")
    func flagOnly() async throws {
        let yaml = GatewayHarness.singleModel.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [watch]\n")
            + "\nguardrails:\n  - {name: watch, type: pii, entities: [email], action: flag, on: [output]}\n"
        let upstream = UpstreamDouble { _ in
            .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: Self.leakyPieces, includeUsage: true).map { .data($0) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let streamed = try await gateway.stream(body: chatBody(stream: true))
                #expect(GuardrailsTests.streamedContent(streamed.text) == Self.leakyPieces.joined(), "\(streamed.text)")
                #expect(streamed.text.hasSuffix("data: [DONE]\n\n"))
                let metrics = try await gateway.request(.GET, "/metrics", key: nil).body
                #expect(metrics.contains(#"switchyard_guardrail_actions_total{guardrail="watch",action="flag",direction="output"} 1"#), "\(metrics)")
            }
        }
    }

    /// Tool-call arguments whose strings hold JSON escapes before a card number and an email.
    static let escapedArguments = #"{\"note\":\"Card:\\n4111 1111 1111 1111\",\"to\":\"\\nbob@example.org\"}"#

    @Test("tool-call arguments are screened as JSON strings, whole and streamed: escapes are read, the arguments stay JSON")
    func toolArguments() async throws {
        let head = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":"#
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                let fragments = [String(Self.escapedArguments.prefix(20)), String(Self.escapedArguments.dropFirst(20))]
                let chunks =
                    [head + #"{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"pay","arguments":""}}]},"finish_reason":null}]}"#]
                    + fragments.map { head + #"{"tool_calls":[{"index":0,"function":{"arguments":"\#($0)"}}]},"finish_reason":null}]}"# }
                    + [head + #"{},"finish_reason":"tool_calls"}]}"#]
                return .events(chunks.map { .data($0) } + [.done])
            }
            let message = #"{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"pay","arguments":"\#(Self.escapedArguments)"}}]}"#
            return .json(#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"up-model","choices":[{"index":0,"message":\#(message),"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}"#)
        }
        let yaml = GatewayHarness.singleModel.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [leaks]\n")
            + "\nguardrails:\n  - {name: leaks, type: pii, action: redact, on: [output]}\n"
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200, "\(reply.body)")
                let call = ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]]
                let whole = (call?.first?["function"] as? [String: Any])?["arguments"] as? String ?? ""
                let wholeJSON = (try? JSONSerialization.jsonObject(with: Data(whole.utf8))) as? [String: String]
                #expect(wholeJSON == ["note": "Card:\n[CREDIT_CARD_1]", "to": "\n[EMAIL_1]"], "\(whole)")

                let streamed = try await gateway.stream(body: chatBody(stream: true))
                let arguments = sseData(streamed.text).compactMap { data -> String? in
                    guard let chunk = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
                        let delta = (chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any],
                        let calls = delta["tool_calls"] as? [[String: Any]]
                    else { return nil }
                    return calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
                }.joined()
                #expect(streamed.text.hasSuffix("data: [DONE]\n\n"), "\(streamed.text)")
                #expect(!arguments.contains("4111") && !arguments.contains("bob@example.org"), "\(arguments)")
                let streamedJSON = (try? JSONSerialization.jsonObject(with: Data(arguments.utf8))) as? [String: String]
                #expect(streamedJSON == ["note": "Card:\n[CREDIT_CARD_1]", "to": "\n[EMAIL_1]"], "\(arguments)")
            }
        }
    }
}
