import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import SwitchyardWire
import NIOCore
import Testing

@Suite("Azure OpenAI and Gemini upstreams")
struct ProviderDialectTests {
    @Test("Azure OpenAI: deployment URL, api-version and api-key header")
    func azure() async throws {
        let upstream = UpstreamDouble { request in
            request.path.hasSuffix("/embeddings")
                ? .json(OpenAIWireSamples.embeddings(model: "text-embedding-3-small")) : .json(OpenAIWireSamples.chatCompletion(model: "gpt-4o"))
        }
        let yaml = """
            providers:
              - {name: azure, type: azure-openai, base_url: UPSTREAM, api_key: azure-key, api_version: 2024-10-21}
            models:
              - {name: chat, targets: [{provider: azure, model: my-gpt4o-deployment}]}
              - {name: embed, targets: [{provider: azure, model: my-embedding-deployment}]}
            """
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
                #expect(reply.json["model"] as? String == "chat")
                let embedded = try await gateway.request("/v1/embeddings", body: #"{"model":"embed","input":"x"}"#)
                #expect(embedded.status == 200)
                let chat = try #require(upstream.requests.first)
                #expect(chat.path == "/v1/deployments/my-gpt4o-deployment/chat/completions")
                #expect(chat.query == "api-version=2024-10-21")
                #expect(chat.headers[HTTPField.Name("api-key")!] == "azure-key")
                #expect(chat.headers[.authorization] == nil)
                #expect(upstream.requests.last?.path == "/v1/deployments/my-embedding-deployment/embeddings")
            }
        }
    }

    static let geminiYAML = """
        providers:
          - {name: google, type: gemini, base_url: UPSTREAM, api_key: gemini-key}
        models:
          - {name: chat, targets: [{provider: google, model: gemini-2.5-flash}]}
          - {name: embed, targets: [{provider: google, model: text-embedding-004}]}
        """

    @Test("Gemini: generateContent with a function call, streamed text, embeddings")
    func gemini() async throws {
        let upstream = UpstreamDouble { request in
            if request.path.hasSuffix(":batchEmbedContents") {
                return .json(#"{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]}"#)
            }
            if request.path.hasSuffix(":streamGenerateContent") {
                return .events([
                    .data(#"{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash"}"#),
                    .data(#"{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}"#),
                ])
            }
            return .json(#"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash"}"#)
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.geminiYAML, upstream: base) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}}]}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body)
                #expect(reply.status == 200)
                let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
                #expect(choice["finish_reason"] as? String == "tool_calls")
                let call = try #require(((choice["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
                #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)
                let sent = try #require(upstream.requests.first)
                #expect(sent.path == "/v1/models/gemini-2.5-flash:generateContent")
                #expect(sent.headers[HTTPField.Name("x-goog-api-key")!] == "gemini-key")
                #expect(!sent.text.contains("additionalProperties"))

                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
                #expect(status == 200)
                let events = sseData(text)
                #expect(events.last == "[DONE]")
                #expect(upstream.requests[1].query == "alt=sse")
                let contents = events.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                    .compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }
                #expect(contents.joined() == "Hello")
                #expect(events.contains { $0.contains(#""total_tokens":5"#) })

                let embedded = try await gateway.request("/v1/embeddings", body: #"{"model":"embed","input":["a","b"]}"#)
                #expect(embedded.status == 200)
                #expect((embedded.json["data"] as? [[String: Any]])?.count == 2)
                #expect(upstream.requests.last?.text.contains(#""model":"models/text-embedding-004""#) == true)
            }
        }
    }

    @Test("Gemini errors keep their status and message")
    func geminiErrors() async throws {
        let upstream = UpstreamDouble { _ in
            .json(status: 400, #"{"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"foo\".","status":"INVALID_ARGUMENT"}}"#)
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.geminiYAML, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 400)
                #expect(reply.errorMessage.hasPrefix("Invalid JSON payload received."))
            }
        }
    }
}

@Suite("Ollama's native API")
struct OllamaProviderTests {
    static let yaml = """
        providers:
          - {name: local, type: ollama, base_url: UPSTREAM_ROOT}
        models:
          - {name: chat, targets: [{provider: local, model: "llama3.2:3b"}]}
          - {name: embed, targets: [{provider: local, model: all-minilm}]}
        """

    @Test("/api/chat with a tool call, NDJSON streaming, /api/embed")
    func ollama() async throws {
        let upstream = UpstreamDouble { request in
            if request.path == "/api/embed" {
                return .json(#"{"model":"all-minilm","embeddings":[[0.1,0.2],[0.3,0.4]],"prompt_eval_count":4}"#)
            }
            if request.text.contains(#""stream":true"#) {
                return .events([
                    .init(#"{"model":"llama3.2:3b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}"#),
                    .init(#"{"model":"llama3.2:3b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"lo"},"done":false}"#),
                    .init(#"{"model":"llama3.2:3b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":2}"#),
                ])
            }
            return .json(#"{"model":"llama3.2:3b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},"done":true,"done_reason":"stop","prompt_eval_count":20,"eval_count":9}"#)
        }
        try await upstream.run { base in
            let root = String(base.dropLast("/v1".count))
            try await GatewayHarness.withGateway(yaml: Self.yaml.replacingOccurrences(of: "UPSTREAM_ROOT", with: root)) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"max_tokens":50}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body)
                #expect(reply.status == 200)
                let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
                #expect(choice["finish_reason"] as? String == "tool_calls")
                let call = try #require(((choice["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
                #expect(call["id"] as? String == "call_0")
                #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)
                let sent = try #require(upstream.requests.first)
                #expect(sent.path == "/api/chat")
                #expect(sent.text.contains(#""num_predict":50"#))
                #expect(sent.text.contains(#""stream":false"#))

                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true))
                #expect(status == 200)
                let events = sseData(text)
                #expect(events.last == "[DONE]")
                #expect(events.contains { $0.contains(#""content":"Hel""#) } && events.contains { $0.contains(#""finish_reason":"stop""#) })

                let embedded = try await gateway.request("/v1/embeddings", body: #"{"model":"embed","input":["a","b"]}"#)
                #expect((embedded.json["data"] as? [[String: Any]])?.count == 2)
                #expect(embedded.json["model"] as? String == "embed")
            }
        }
    }
}

@Suite("AWS Bedrock Converse")
struct BedrockProviderTests {
    static let yaml = """
        providers:
          - name: aws
            type: bedrock
            base_url: UPSTREAM_ROOT
            region: us-east-1
            aws_access_key_id: AKIDEXAMPLE
            aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
        models:
          - {name: chat, targets: [{provider: aws, model: "anthropic.claude-3-haiku-20240307-v1:0"}]}
        """

    static func event(_ type: String, _ payload: String) -> ByteBuffer {
        AWSEventStreamMessage(headers: [":event-type": type, ":message-type": "event", ":content-type": "application/json"], payload: ByteBuffer(string: payload)).encoded()
    }

    @Test("Converse with tools, signed; ConverseStream decoded from the binary event stream")
    func bedrock() async throws {
        let upstream = UpstreamDouble { request in
            if request.path.hasSuffix("/converse-stream") {
                // The first message arrives split across two writes, the second glued to the third.
                var first = Self.event("messageStart", #"{"role":"assistant"}"#)
                let split = first.readSlice(length: 10)!
                first.writeImmutableBuffer(Self.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#))
                return .bytes(contentType: "application/vnd.amazon.eventstream", [
                    split, first,
                    Self.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"lo"}}"#),
                    Self.event("contentBlockStop", #"{"contentBlockIndex":0}"#),
                    Self.event("contentBlockStart", #"{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}"#),
                    Self.event("contentBlockDelta", #"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"#),
                    Self.event("contentBlockDelta", #"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}}"#),
                    Self.event("contentBlockStop", #"{"contentBlockIndex":1}"#),
                    Self.event("messageStop", #"{"stopReason":"tool_use"}"#),
                    Self.event("metadata", #"{"usage":{"inputTokens":11,"outputTokens":7,"totalTokens":18},"metrics":{"latencyMs":300}}"#),
                ])
            }
            return .json(#"{"output":{"message":{"role":"assistant","content":[{"text":"Checking."},{"toolUse":{"toolUseId":"tooluse_9","name":"get_weather","input":{"city":"Paris"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":30,"outputTokens":12,"totalTokens":42},"metrics":{"latencyMs":400}}"#)
        }
        try await upstream.run { base in
            let root = String(base.dropLast("/v1".count))
            try await GatewayHarness.withGateway(yaml: Self.yaml.replacingOccurrences(of: "UPSTREAM_ROOT", with: root)) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"tool_choice":"required","max_tokens":200}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body)
                #expect(reply.status == 200)
                let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
                #expect(choice["finish_reason"] as? String == "tool_calls")
                let call = try #require(((choice["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
                #expect(call["id"] as? String == "tooluse_9")
                #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)
                #expect((reply.json["usage"] as? [String: Any])?["total_tokens"] as? Int == 42)

                let sent = try #require(upstream.requests.first)
                #expect(sent.path.hasSuffix("/converse"))
                #expect(sent.path.contains("v1%3A0") || sent.path.contains("v1:0"))
                let authorization = sent.headers[.authorization] ?? ""
                #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
                #expect(authorization.contains("/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
                #expect(sent.headers[HTTPField.Name("x-amz-date")!] != nil)
                let sentBody = sent.json
                #expect((sentBody["system"] as? [[String: Any]])?.first?["text"] as? String == "Be brief.")
                #expect((sentBody["inferenceConfig"] as? [String: Any])?["maxTokens"] as? Int == 200)
                #expect(((sentBody["toolConfig"] as? [String: Any])?["toolChoice"] as? [String: Any])?["any"] != nil)

                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
                #expect(status == 200)
                let events = sseData(text)
                #expect(events.last == "[DONE]")
                let chunks = events.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let deltas = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
                #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Hello")
                let arguments = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any] }
                    .compactMap { $0["arguments"] as? String }.joined()
                #expect(arguments == #"{"city":"Paris"}"#)
                #expect(chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String } == ["tool_calls"])
                #expect((chunks.last?["usage"] as? [String: Any])?["total_tokens"] as? Int == 18)
            }
        }
    }
}
