import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardStorage
import SwitchyardTesting
import Testing

/// Each defect a security and reliability review found, through the gateway's public interface.
@Suite("Hardening")
struct HardeningTests {
    static func okUpstream() -> UpstreamDouble {
        UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: request.model ?? "", pieces: ["a"], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
    }

    @Test("starting_after beyond any sequence number is a 400, and the process keeps serving")
    func startingAfterOverflow() async throws {
        let upstream = Self.okUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try #require(try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"hi"}"#).json["id"] as? String)
                for value in ["9223372036854775807", "-1", "1e3", "99999999999999999999999", "NaN", ""] {
                    let reply = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true&starting_after=\(value)")
                    #expect(reply.status == 400, "\(value)")
                    #expect(reply.json["error"] != nil)
                }
                let resumed = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true&starting_after=1")
                #expect(resumed.status == 200)
                #expect(!resumed.body.contains(#""sequence_number":1,"#))
                #expect(try await gateway.request(.GET, "/health/live").status == 200)
            }
        }
    }

    @Test("a key's limits edited through the admin API apply at once; removing a limit never traps")
    func limitEdits() async throws {
        let upstream = Self.okUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let (id, secret) = try await gateway.createKey(#"{"name":"edited","rpm":1000,"tpm":100000,"max_parallel":5}"#)
                for _ in 0..<3 { #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200) }
                #expect(try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"rpm":1}"#).status == 200)
                var passed = 0
                for _ in 0..<3 where try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200 { passed += 1 }
                #expect(passed <= 1, "the lowered limit applies at once")
                #expect(try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"rpm":null,"tpm":null}"#).status == 200)
                for _ in 0..<3 { #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200) }
                #expect(try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"tpm":50}"#).status == 200)
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                #expect(reply.headers.first(name: "x-ratelimit-limit-tokens") == "50")
            }
        }
    }

    @Test("a stream the client abandons before the usage chunk is billed, and recorded as 499")
    func abandonedStreamBilled() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b", "c"], includeUsage: true)
        let upstream = UpstreamDouble { _ in
            .events(chunks.prefix(4).map { .data($0) } + chunks.dropFirst(4).map { .data($0, after: .seconds(3)) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let (keyID, secret) = try await gateway.createKey(#"{"name":"leaver"}"#)
                _ = try await gateway.stream(body: chatBody(stream: true), key: secret) { part, _ in !part.contains(#""content":"c""#) }
                try await Task.sleep(for: .milliseconds(900))
                let usage = try await gateway.request(.GET, "/admin/usage?key_id=\(keyID)")
                let row = try #require((usage.json["data"] as? [[String: Any]])?.first)
                #expect(row["requests"] as? Int == 1)
                #expect((row["prompt_tokens"] as? Int ?? 0) > 0)
                #expect((row["completion_tokens"] as? Int ?? 0) >= 3)
                #expect((row["cost_usd"] as? Double ?? 0) > 0, "an abandoned stream is not free")
                let logs = try await gateway.request(.GET, "/admin/logs?key_id=\(keyID)&status=499")
                #expect((logs.json["data"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test("a stream cut by shutdown still leaves its usage row")
    func shutdownKeepsUsage() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"], includeUsage: true)
        let upstream = UpstreamDouble { _ in .events(chunks.prefix(2).map { .data($0) } + chunks.dropFirst(2).map { .data($0, after: .seconds(20)) }) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-shutdown-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await upstream.run { base in
            var configuration = try GatewayHarness.configuration(
                yaml: "server:\n  shutdown_grace_seconds: 0.5\n" + GatewayHarness.singleModel, upstream: base, storage: .sqliteFile(path: path))
            configuration.server.host = "127.0.0.1"
            try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                // The stream outlives the grace period: the server cuts it, and the client sees its connection end.
                _ = try? await gateway.stream(body: chatBody(stream: true)) { part, _ in
                    if part.contains("chat.completion.chunk") { Task { await gateway.server?.shutdown() } }
                    return true
                }
            }
        }
        let store = try await SQLGatewayStore.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        let totals = try await store.totals(UsageQuery())
        try await store.close()
        #expect(totals.first?.requests == 1, "the stream cut at the grace deadline was recorded")
        #expect((totals.first?.promptTokens ?? 0) > 0)
    }

    @Test("count_tokens and input_tokens are admitted against the caller's rate limit")
    func countTokensAdmitted() async throws {
        let upstream = Self.okUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await RateLimitTests.key(gateway, #"{"name":"counter","rpm":1}"#)
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Hi"}]}"#
                #expect(try await gateway.request("/v1/messages/count_tokens", body: body, key: secret).status == 200)
                #expect(try await gateway.request("/v1/messages/count_tokens", body: body, key: secret).status == 429)
                #expect(try await gateway.request("/v1/responses/input_tokens", body: #"{"model":"chat","input":"Hi"}"#, key: secret).status == 429)
            }
        }
    }

    @Test("a stored streamed response whose client left ends incomplete, not in_progress forever")
    func abandonedResponseIncomplete() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"], includeUsage: true)
        let upstream = UpstreamDouble { _ in .events(chunks.prefix(2).map { .data($0) } + chunks.dropFirst(2).map { .data($0, after: .seconds(5)) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var id: String?
                _ = try await gateway.stream("/v1/responses", body: #"{"model":"chat","input":"hi","stream":true}"#) { part, _ in
                    if id == nil, let match = part.firstMatch(of: /"id":"(resp_[0-9a-f]+)"/) { id = String(match.output.1) }
                    return !part.contains("response.output_text.delta")
                }
                let responseID = try #require(id)
                var stored: [String: Any] = [:]
                for _ in 0..<20 {
                    try await Task.sleep(for: .milliseconds(250))
                    stored = try await gateway.request(.GET, "/v1/responses/\(responseID)").json
                    if stored["status"] as? String != "in_progress" { break }
                }
                #expect(stored["status"] as? String == "incomplete")
                #expect((stored["incomplete_details"] as? [String: Any])?["reason"] as? String == "interrupted")
                let item = (stored["output"] as? [[String: Any]])?.first
                #expect(((item?["content"] as? [[String: Any]])?.first?["text"] as? String) == "a", "the output streamed so far is kept")
            }
        }
    }

    @Test("an upstream 401 or 403 is a failure of the gateway's credentials: the next target serves, else 502")
    func upstreamCredentials() async throws {
        let upstream = UpstreamDouble { request in
            switch request.model {
            case "revoked": .json(status: 401, OpenAIWireSamples.error("Incorrect API key provided: sk-up***", type: "invalid_request_error", code: "invalid_api_key"))
            case "forbidden": .json(status: 403, OpenAIWireSamples.error("Project not allowed", type: "invalid_request_error", code: nil))
            default: .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
            }
        }
        try await upstream.run { base in
            let yaml = """
                providers:
                  - {name: up, type: openai, base_url: UPSTREAM}
                models:
                  - name: mixed
                    targets: [{provider: up, model: revoked}, {provider: up, model: fine}]
                    strategy: round-robin
                  - name: locked
                    targets: [{provider: up, model: forbidden}]
                """
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                for _ in 0..<2 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody(model: "mixed"))
                    #expect(reply.status == 200)
                    #expect(reply.headers.first(name: "x-switchyard-target") == "up/fine")
                }
                let locked = try await gateway.request("/v1/chat/completions", body: chatBody(model: "locked"))
                #expect(locked.status == 502)
                #expect(locked.errorMessage.contains("refused the gateway's credentials"))
                #expect(!locked.body.contains("Incorrect API key"), "what the provider said stays in the operator's log")
                let messages = try await gateway.request("/v1/messages", body: #"{"model":"locked","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(messages.status == 502)
                #expect(!messages.body.contains("authentication_error"), "the client is never told its own key is wrong")
            }
        }
    }

    @Test("fallbacks a key may not use are skipped, and every route checks the key's models in the pipeline")
    func allowList() async throws {
        let upstream = UpstreamDouble { request in
            request.model == "cheap-up" ? .json(status: 500, #"{"error":{"message":"down","type":"server_error"}}"#)
                : .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
        try await upstream.run { base in
            let yaml = """
                router: {backoff_initial_ms: 1, backoff_max_ms: 2}
                providers:
                  - {name: up, type: openai, base_url: UPSTREAM}
                models:
                  - name: cheap
                    targets: [{provider: up, model: cheap-up}]
                    retry: {max_attempts: 1}
                    fallbacks: [premium]
                  - name: premium
                    targets: [{provider: up, model: premium-up}]
                """
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let secret = try await RateLimitTests.key(gateway, #"{"name":"thrifty","models":["cheap"]}"#)
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody(model: "cheap"), key: secret)
                #expect(reply.status == 502)
                #expect(!upstream.requests.contains { $0.model == "premium-up" }, "the fallback the key may not use was never called")
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "cheap")).status == 200, "the master key falls back")

                let forbidden: [(String, String)] = [
                    ("/v1/chat/completions", chatBody(model: "premium")),
                    ("/v1/embeddings", #"{"model":"premium","input":"x"}"#),
                    ("/v1/messages", #"{"model":"premium","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#),
                    ("/v1/messages/count_tokens", #"{"model":"premium","messages":[{"role":"user","content":"Hi"}]}"#),
                    ("/v1/responses", #"{"model":"premium","input":"Hi"}"#),
                    ("/v1/responses/input_tokens", #"{"model":"premium","input":"Hi"}"#),
                ]
                for (path, body) in forbidden {
                    #expect(try await gateway.request(path, body: body, key: secret).status == 403, "\(path)")
                }
            }
        }
    }

    @Test("a large body with a bad key is refused from its head, before the gateway reads it")
    func authenticatedBeforeBody() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let answer = try await RawConnection.with(port: gateway.port) { writer, inbound in
                // 20 MB announced, none sent: the answer must not wait for it.
                try await writer.write(
                    ByteBuffer(
                        string: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-wrong\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 20000000\r\n\r\n{\"model\""))
                return try await RawConnection.readUntilClosed(&inbound, limit: .seconds(5))
            }
            #expect(answer.text.hasPrefix("HTTP/1.1 401 "), "\(answer.text)")
            #expect(answer.closedAfter < .seconds(3))
        }
    }

    @Test("request bodies held across the server are capped: past the cap a request gets 503, and the server goes on")
    func bodyBudget() async throws {
        let upstream = Self.okUpstream()
        try await upstream.run { base in
            let yaml = "server:\n  max_body_bytes: 100000\n  max_buffered_body_bytes: 100000\n" + GatewayHarness.singleModel
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let padding = String(repeating: "x", count: 30_000)
                try await RawConnection.with(port: gateway.port) { writer, _ in
                    // A body of 90,000 bytes, 80,000 of them sent: the server holds them while it waits for the rest.
                    try await writer.write(
                        ByteBuffer(
                            string: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.masterKey)\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 90000\r\n\r\n" + String(repeating: " ", count: 80_000)))
                    // Once the server holds those 80,000 bytes (the gauge says so), a request that would pass the cap
                    // is refused. (Sent sooner, it would be the held request that is refused.)
                    #expect(try await ReplicaTests.eventually {
                        let metrics = try await gateway.request(.GET, "/metrics").body
                        return metrics.split(separator: "\n").contains { $0.hasPrefix("switchyard_buffered_body_bytes ") && (Double($0.split(separator: " ").last ?? "") ?? 0) >= 80_000 }
                    }, "the server holds the body it is reading")
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","metadata":{"pad":"\#(padding)"}"#))
                    #expect(reply.status == 503)
                    #expect(reply.errorCode == "server_busy")
                    #expect(reply.headers.first(name: "x-request-id") != nil, "answered by its route, with every header a response carries")
                    let messages = try await gateway.request(
                        "/v1/messages", body: #"{"model":"chat","max_tokens":5,"messages":[{"role":"user","content":"\#(padding)"}]}"#)
                    #expect(messages.status == 503)
                    #expect(messages.json["type"] as? String == "error", "in the Anthropic shape on /v1/messages")
                }
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(extra: #","metadata":{"pad":"\#(padding)"}"#)).status == 200,
                    "the budget was given back when the connection closed")
                // The gauge is read at the scrape, so once every body is let go it says 0, whatever order the event
                // loops let them go in.
                let metrics = try await gateway.request(.GET, "/metrics").body
                let held = metrics.split(separator: "\n").first { $0.hasPrefix("switchyard_buffered_body_bytes ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
                #expect(held == 0, "nothing held once every request ended")
            }
        }
    }

    @Test("connections past server.max_connections are closed at once; the others are served")
    func connectionCap() async throws {
        try await GatewayHarness.withGateway(yaml: "server:\n  max_connections: 2\n" + GatewayHarness.singleModel) { gateway in
            let probe = ByteBuffer(string: "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            // Each of the first two connections is answered once, so both are counted before the third arrives.
            try await RawConnection.with(port: gateway.port) { first, firstInbound in
                try await first.write(probe)
                #expect(try await firstInbound.next(isolation: #isolation).map { String(buffer: $0).hasPrefix("HTTP/1.1 200") } == true)
                try await RawConnection.with(port: gateway.port) { second, secondInbound in
                    try await second.write(probe)
                    #expect(try await secondInbound.next(isolation: #isolation).map { String(buffer: $0).hasPrefix("HTTP/1.1 200") } == true)
                    let started = ContinuousClock.now
                    // Closed unanswered (or reset, when the request was already on its way).
                    let third = try? await RawConnection.with(port: gateway.port) { writer, inbound in
                        try? await writer.write(ByteBuffer(string: "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
                        return try await RawConnection.readUntilClosed(&inbound, limit: .seconds(5))
                    }
                    #expect(third?.text.isEmpty ?? true)
                    #expect(ContinuousClock.now - started < .seconds(3))
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await gateway.request(.GET, "/health/live").status == 200)
        }
    }

    @Test("a client that stops reading a stream is cut off after the write timeout, which stops its upstream")
    func writeStall() async throws {
        // Large events, so the client's socket and the gateway's fill after a few, at little cost per byte.
        let big = String(repeating: "x", count: 16 << 10)
        let chunk = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":"\#(big)"},"finish_reason":null}]}"#
        let upstream = UpstreamDouble { _ in .events(Array(repeating: .data(chunk, after: .milliseconds(30)), count: 1000) + [.done]) }
        try await upstream.run { base in
            let yaml = "server:\n  write_timeout_seconds: 1\n" + GatewayHarness.singleModel
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let body = chatBody(stream: true)
                let started = ContinuousClock.now
                try await RawConnection.with(port: gateway.port, receiveBuffer: 4096) { writer, inbound in
                    try await writer.write(ByteBuffer(string: RawConnection.chatRequestHead(body: body) + body))
                    // Read the head, then nothing more.
                    _ = try await inbound.next(isolation: #isolation)
                    // The upstream would send for 30 s: a stop well before that is the write timeout's doing.
                    while upstream.cancelledStreamCount == 0 && ContinuousClock.now - started < .seconds(28) {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(upstream.cancelledStreamCount == 1, "the upstream stream was stopped")
                #expect(ContinuousClock.now - started < .seconds(28))
                #expect(try await gateway.request(.GET, "/health/live").status == 200)
            }
        }
    }

    @Test("a deleted key's series leave the operator's scrape")
    func deletedKeyMetricsForgotten() async throws {
        let upstream = Self.okUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let (id, secret) = try await gateway.createKey(#"{"name":"temporary"}"#)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await gateway.request(.GET, "/metrics").body.contains(id))
                #expect(try await gateway.request(.DELETE, "/admin/keys/\(id)").status == 204)
                var present = true
                for _ in 0..<30 where present {
                    try await Task.sleep(for: .milliseconds(100))
                    present = try await gateway.request(.GET, "/metrics").body.contains(id)
                }
                #expect(!present)
            }
        }
    }
}
