import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import NIOCore
import SwitchyardTesting
import Testing

@Suite("Chat completions pass through to an OpenAI-compatible upstream")
struct ChatCompletionsTests {
    @Test("the model is mapped, every other byte passes, and the answer carries the public name")
    func passThrough() async throws {
        let upstream = UpstreamDouble { request in
            .json(OpenAIWireSamples.chatCompletion(model: "up-model-2026-01-01"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Hi \u00e9 \ud83d\ude00"}],"temperature":0.25,"x_vendor_field":{"nested":[1,2.50,true,null]},"seed":42}"#
                let reply = try await gateway.request(
                    "/v1/chat/completions", body: body, headers: [("x-request-id", "client-id-1")])
                #expect(reply.status == 200)
                #expect(reply.json["model"] as? String == "chat")
                #expect(reply.body.contains(#""system_fingerprint":"fp_06737a9306""#))
                #expect(reply.headers.first(name: "x-request-id") == "client-id-1")
                #expect(Double(reply.headers.first(name: "x-switchyard-overhead-ms") ?? "") != nil)

                let received = try #require(upstream.requests.first)
                #expect(received.path == "/v1/chat/completions")
                #expect(received.text == body.replacingOccurrences(of: #""model":"chat""#, with: #""model":"up-model""#))
                #expect(received.headers[.authorization] == "Bearer sk-upstream-key")
                #expect(received.headers[values: .authorization].count == 1)
                #expect(received.headers[.init("x-tenant")!] == "acme")
                #expect(received.headers[.init("x-request-id")!] == "client-id-1")
            }
        }
    }

    @Test("a configured key with a line break is never sent: the request fails 502 naming the header")
    func headerInjection() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model")) }
        try await upstream.run { base in
            let yaml = GatewayHarness.singleModel.replacingOccurrences(
                of: "api_key: sk-upstream-key", with: #"api_key: "sk-upstream-key\r\nx-injected: 1""#)
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(reply.status == 502)
                #expect(reply.body.contains("authorization"))
                #expect(upstream.requests.isEmpty)
            }
        }
    }

    @Test("every response gets a request id and the overhead header, errors included")
    func envelopeHeaders() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            for reply in [
                try await gateway.request(.GET, "/v1/models"),
                try await gateway.request(.GET, "/v1/models", key: nil),
                try await gateway.request(.GET, "/no/such/route"),
                try await gateway.request(.GET, "/health/live", key: nil),
            ] {
                #expect(reply.headers.first(name: "x-request-id")?.hasPrefix("req_") == true)
                #expect(reply.headers.first(name: "x-switchyard-overhead-ms") != nil)
            }
            let unknown = try await gateway.request(.GET, "/no/such/route")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "route_not_found")
        }
    }

    @Test("an upstream 4xx caused by the client is passed through with its status and message")
    func clientErrorPassThrough() async throws {
        let message = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens."
        let upstream = UpstreamDouble { _ in
            .json(status: 400, OpenAIWireSamples.error(message, type: "invalid_request_error", code: "context_length_exceeded", param: "messages"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 400)
                #expect(reply.errorMessage == message)
                #expect(reply.errorCode == "context_length_exceeded")
                let error = try #require(reply.json["error"] as? [String: Any])
                #expect(error["type"] as? String == "invalid_request_error")
                #expect(error["param"] as? String == "messages")
                #expect(upstream.requests.count == 1)
            }
        }
    }

    @Test("upstream 5xx becomes 502, 429 keeps Retry-After, silence becomes 504")
    func upstreamFailures() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains("boom") { return .json(status: 500, #"{"error":{"message":"kaput","type":"server_error"}}"#) }
            if request.text.contains("busy") {
                return .json(status: 429, OpenAIWireSamples.error("Rate limit reached", type: "requests", code: "rate_limit_exceeded"), headers: [("retry-after", "7")])
            }
            return .silence(.seconds(15))
        }
        let yaml = GatewayHarness.singleModel.replacingOccurrences(of: "api_key: sk-upstream-key", with: "api_key: sk-upstream-key\n    timeout_seconds: 3")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let failed = try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","user":"boom""#))
                #expect(failed.status == 502)
                #expect(failed.errorMessage.contains("kaput"))
                let limited = try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","user":"busy""#))
                #expect(limited.status == 429)
                #expect(limited.headers.first(name: "retry-after") == "7")
                let start = ContinuousClock.now
                let silent = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(silent.status == 504)
                // Cut by the 3 s timeout, long before the upstream's 15 s of silence, with room for a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(10))
            }
        }
    }

    @Test("an unreachable upstream gives 502 and the next target is tried")
    func failover() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "healthy-model")) }
        try await upstream.run { base in
            let yaml = """
                providers:
                  - {name: dead, type: openai, base_url: "http://127.0.0.1:9/v1", connect_timeout_seconds: 1}
                  - {name: live, type: openai, base_url: UPSTREAM}
                models:
                  - name: chat
                    targets:
                      - {provider: dead, model: a}
                  - name: backup
                    targets:
                      - {provider: live, model: healthy-model}
                  - name: resilient
                    targets:
                      - {provider: dead, model: a}
                    fallbacks: [backup]
                """
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let dead = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(dead.status == 502)
                #expect(dead.errorMessage.contains("dead/a"))
                let rescued = try await gateway.request("/v1/chat/completions", body: chatBody(model: "resilient"))
                #expect(rescued.status == 200)
                #expect(rescued.json["model"] as? String == "resilient")
                #expect(upstream.requests.last?.text.contains(#""model":"healthy-model""#) == true)
            }
        }
    }

    @Test("embeddings pass through with the model mapped")
    func embeddings() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.embeddings(model: "up-embedding", count: 2)) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = #"{"model":"embed","input":["one","two"],"encoding_format":"float","dimensions":3}"#
                let reply = try await gateway.request("/v1/embeddings", body: body)
                #expect(reply.status == 200)
                #expect(reply.json["model"] as? String == "embed")
                #expect((reply.json["data"] as? [Any])?.count == 2)
                #expect(upstream.requests.first?.path == "/v1/embeddings")
                #expect(upstream.requests.first?.text == body.replacingOccurrences(of: "\"embed\"", with: "\"up-embedding\""))
                let missing = try await gateway.request("/v1/embeddings", body: #"{"model":"embed"}"#)
                #expect(missing.status == 400)
                #expect(missing.errorMessage.contains("'input'"))
            }
        }
    }

    @Test("models are listed and fetched by id, slashes included")
    func models() async throws {
        let yaml = GatewayHarness.singleModel + "\n  - name: meta-llama/Llama-3.1-8B-Instruct\n    targets: [{provider: up, model: x}]"
        try await GatewayHarness.withGateway(yaml: yaml) { gateway in
            let list = try await gateway.request(.GET, "/v1/models")
            #expect(list.status == 200)
            #expect(list.json["object"] as? String == "list")
            let ids = (list.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["chat", "embed", "meta-llama/Llama-3.1-8B-Instruct"])
            let one = try await gateway.request(.GET, "/v1/models/meta-llama/Llama-3.1-8B-Instruct")
            #expect(one.status == 200)
            #expect(one.json["id"] as? String == "meta-llama/Llama-3.1-8B-Instruct")
            #expect(one.json["object"] as? String == "model")
            let missing = try await gateway.request(.GET, "/v1/models/gpt-5")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "model_not_found")
        }
    }

    @Test("the master key is accepted from Authorization, x-api-key and x-goog-api-key; health needs none")
    func authentication() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            #expect(try await gateway.request(.GET, "/v1/models", key: nil).status == 401)
            let wrong = try await gateway.request(.GET, "/v1/models", key: "sk-wrong")
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "invalid_api_key")
            #expect(try await gateway.request(.GET, "/v1/models", key: nil, headers: [("x-api-key", GatewayHarness.masterKey)]).status == 200)
            #expect(try await gateway.request(.GET, "/v1/models", key: nil, headers: [("x-goog-api-key", GatewayHarness.masterKey)]).status == 200)
            for path in ["/health/live", "/healthz", "/health/liveliness", "/health/liveness", "/health/ready", "/readyz", "/health/readiness"] {
                let reply = try await gateway.request(.GET, path, key: nil)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.json["status"] as? String == (path.contains("read") ? "ready" : "ok"), "\(path)")
            }
        }
    }
}

@Suite("Attempts across targets")
struct AttemptTests {
    /// Two targets on two providers; the timeout is long enough for a loaded machine unless a test is about it.
    static func twoTargets(timeout: Double = 10) -> String {
        """
        providers:
          - {name: first, type: openai, base_url: UPSTREAM, timeout_seconds: \(timeout)}
          - {name: second, type: openai, base_url: UPSTREAM, timeout_seconds: \(timeout)}
        models:
          - name: chat
            targets:
              - {provider: first, model: one}
              - {provider: second, model: two}
        """
    }

    @Test("when every target is rate limited the client gets 429 with the smallest Retry-After")
    func allRateLimited() async throws {
        let upstream = UpstreamDouble { request in
            let wait = request.text.contains(#""model":"one""#) ? "7" : "3"
            return .json(status: 429, OpenAIWireSamples.error("slow down", type: "requests", code: "rate_limit_exceeded"), headers: [("retry-after", wait)])
        }
        try await upstream.run { base in
            let yaml = Self.twoTargets() + "\n    retry: {max_attempts: 2}"
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 429)
                #expect(reply.headers.first(name: "retry-after") == "3")
                #expect(upstream.requests.count == 2)
            }
        }
    }

    @Test("when every target times out the client gets 504; a mix of failures gives 502")
    func timeoutsAndMixedFailures() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains("mixed"), request.text.contains(#""model":"two""#) {
                return .json(status: 503, #"{"error":{"message":"overloaded","type":"server_error"}}"#)
            }
            return .silence(.seconds(10))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.twoTargets(timeout: 1.5), upstream: base) { gateway in
                let timedOut = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(timedOut.status == 504)
                #expect(timedOut.errorCode == "upstream_timeout")
                let mixed = try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","user":"mixed""#))
                #expect(mixed.status == 502)
                #expect(mixed.errorMessage.contains("overloaded"))
            }
        }
    }

    @Test("round-robin spreads requests over the targets")
    func roundRobin() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "x")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.twoTargets(), upstream: base) { gateway in
                for _ in 0..<4 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.status == 200)
                }
                let models = upstream.requests.map { $0.text.contains(#""model":"one""#) ? "one" : "two" }
                #expect(models.filter { $0 == "one" }.count == 2)
                #expect(models.filter { $0 == "two" }.count == 2)
            }
        }
    }

    @Test("the overhead header excludes the time spent waiting on the upstream")
    func overheadExcludesUpstream() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "x"), after: .milliseconds(400)) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .milliseconds(400))
                let overhead = try #require(Double(reply.headers.first(name: "x-switchyard-overhead-ms") ?? ""))
                #expect(overhead >= 0)
                // Whatever the machine's load: the 400 ms the upstream took are not in it (1 ms for rounding).
                let elapsedMilliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                #expect(overhead <= elapsedMilliseconds - 400 + 1)
            }
        }
    }
}
