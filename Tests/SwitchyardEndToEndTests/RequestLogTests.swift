import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Request log")
struct RequestLogTests {
    /// Lists `/admin/logs?query`, waiting (the writer flushes every 250 ms) until `ready` holds.
    static func logs(
        _ gateway: GatewayClient, _ query: String = "", until ready: ([[String: Any]]) -> Bool = { _ in true }
    ) async throws -> GatewayClient.Reply {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let reply = try await gateway.request(.GET, "/admin/logs" + (query.isEmpty ? "" : "?" + query))
            if reply.status != 200 || ready(reply.json["data"] as? [[String: Any]] ?? []) || ContinuousClock.now > deadline { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("every request's metadata is stored; filters, time range and cursor pagination")
    func filtersAndPages() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await RateLimitTests.key(gateway, #"{"name":"logged"}"#)
                for index in 0..<5 {
                    let reply = try await gateway.request(
                        "/v1/chat/completions", body: chatBody(), key: secret, headers: [("x-request-id", "client-\(index)")])
                    #expect(reply.status == 200)
                }
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: "sk-not-a-key").status == 401)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "ghost")).status == 404)

                let completions: ([[String: Any]]) -> [[String: Any]] = { $0.filter { $0["path"] as? String == "/v1/chat/completions" } }
                let all = try await Self.logs(gateway) { completions($0).count >= 7 }
                let rows = completions(try #require(all.json["data"] as? [[String: Any]]))
                // Five completions, the 401 and the 404 (the admin calls are logged too).
                #expect(rows.count == 7, "\(all.body)")
                let chat = try #require(rows.first { $0["request_id"] as? String == "client-4" })
                #expect(chat["status"] as? Int == 200)
                #expect(chat["model"] as? String == "chat")
                #expect(chat["target"] as? String == "up/up-model")
                #expect(chat["prompt_tokens"] as? Int == 19)
                #expect(chat["completion_tokens"] as? Int == 10)
                #expect(chat["attempts"] as? Int == 1)
                #expect((chat["cost_usd"] as? Double ?? 0) > 0)
                #expect((chat["latency_ms"] as? Double ?? -1) >= 0)
                #expect(chat["overhead_ms"] is Double)
                #expect(chat["request_body"] == nil, "bodies are off by default")
                let keyID = try #require(chat["key_id"] as? String)
                let failed = try #require(rows.first { $0["status"] as? Int == 404 })
                #expect((failed["error"] as? String)?.hasPrefix("The model 'ghost' does not exist") == true)

                let byKey = try await Self.logs(gateway, "key_id=\(keyID)")
                #expect((byKey.json["data"] as? [[String: Any]])?.count == 5)
                let unauthorized = try await Self.logs(gateway, "status=401")
                #expect((unauthorized.json["data"] as? [[String: Any]])?.count == 1)
                let one = try await Self.logs(gateway, "request_id=client-2")
                #expect((one.json["data"] as? [[String: Any]])?.first?["request_id"] as? String == "client-2")
                let future = try await Self.logs(gateway, "from=2999-01-01")
                #expect((future.json["data"] as? [[String: Any]])?.isEmpty == true)

                // Pages of 2 over the key's 5 rows: 2, 2, 1, newest first, each row once.
                var seen: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try await Self.logs(gateway, "key_id=\(keyID)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    let data = page.json["data"] as? [[String: Any]] ?? []
                    seen += data.compactMap { $0["request_id"] as? String }
                    cursor = page.json["next_cursor"] as? String
                    #expect((page.json["has_more"] as? Bool) == (cursor != nil))
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(pages == 3)
                #expect(seen == ["client-4", "client-3", "client-2", "client-1", "client-0"])

                for bad in ["limit=0", "limit=5000", "status=abc", "cursor=not-a-cursor", "from=yesterday"] {
                    let reply = try await gateway.request(.GET, "/admin/logs?\(bad)")
                    #expect(reply.status == 400, "\(bad): \(reply.body)")
                }
                #expect(try await gateway.request(.GET, "/admin/logs", key: secret).status == 403)
            }
        }
    }

    @Test("logging.bodies keeps size-capped bodies with credentials redacted, streams included")
    func bodies() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["hi"], includeUsage: false).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model"))
        }
        try await upstream.run { base in
            let yaml = "logging:\n  bodies: true\n  max_body_bytes: 400\n" + GatewayHarness.singleModel
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let leaky = chatBody(extra: #","metadata":{"api_key":"hunter2-secret","note":"my key is sk-proj-abcdefghijklmnopqrstuvwxyz"}"#)
                #expect(try await gateway.request("/v1/chat/completions", body: leaky, headers: [("x-request-id", "leaky")]).status == 200)
                let long = chatBody(extra: #","user":"\#(String(repeating: "x", count: 2000))""#)
                #expect(try await gateway.request("/v1/chat/completions", body: long, headers: [("x-request-id", "long")]).status == 200)
                _ = try await gateway.stream(body: chatBody(stream: true))

                let reply = try await Self.logs(gateway) { $0.count >= 3 }
                let rows = try #require(reply.json["data"] as? [[String: Any]])
                let leakyRow = try #require(rows.first { $0["request_id"] as? String == "leaky" })
                let requestBody = try #require(leakyRow["request_body"] as? String)
                #expect(!requestBody.contains("hunter2"))
                #expect(!requestBody.contains("sk-proj-abcdefghij"))
                #expect(requestBody.contains(#""api_key":"[REDACTED]""#))
                #expect(requestBody.contains("my key is [REDACTED]"))
                #expect((leakyRow["response_body"] as? String)?.contains("chat.completion") == true)
                let longRow = try #require(rows.first { $0["request_id"] as? String == "long" })
                #expect((longRow["request_body"] as? String)?.utf8.count == 400)
                let streamRow = try #require(rows.first { $0["stream"] as? Bool == true })
                #expect((streamRow["response_body"] as? String)?.hasPrefix("data: {") == true)
            }
        }
    }

    @Test("the log records what guardrails did by kind and count, never the text, and keeps no bodies once they acted")
    func guardrails() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model")) }
        try await upstream.run { base in
            let yaml = "logging:\n  bodies: true\n" + GatewayHarness.singleModel.replacingOccurrences(
                of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [pii, watch]\n")
                + "\nguardrails:\n  - {name: pii, type: pii, action: redact}\n  - {name: watch, type: words, words: [quarterly], action: flag}\n"
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let redacted = #"{"model":"chat","messages":[{"role":"user","content":"mail ann@example.com and bob@example.org"}]}"#
                #expect(try await gateway.request("/v1/chat/completions", body: redacted, headers: [("x-request-id", "redacted")]).status == 200)
                let flagged = #"{"model":"chat","messages":[{"role":"user","content":"the quarterly plan"}]}"#
                #expect(try await gateway.request("/v1/chat/completions", body: flagged, headers: [("x-request-id", "flagged")]).status == 200)

                let reply = try await Self.logs(gateway) { $0.count >= 2 }
                let rows = try #require(reply.json["data"] as? [[String: Any]])
                let redactedRow = try #require(rows.first { $0["request_id"] as? String == "redacted" })
                #expect(redactedRow["guardrails"] as? String == "pii=redact:email=2", "\(redactedRow)")
                #expect(redactedRow["request_body"] == nil && redactedRow["response_body"] == nil, "\(redactedRow)")
                #expect(!reply.body.contains("ann@example.com"))
                let flaggedRow = try #require(rows.first { $0["request_id"] as? String == "flagged" })
                #expect(flaggedRow["guardrails"] as? String == "watch=flag:watch=1", "\(flaggedRow)")
                #expect((flaggedRow["request_body"] as? String)?.contains("quarterly") == true, "a flag keeps the bodies")
            }
        }
    }

    @Test("logging.request_log: false stores nothing and says so")
    func off() async throws {
        try await GatewayHarness.withGateway(yaml: "logging:\n  request_log: false\n" + GatewayHarness.singleModel) { gateway in
            let reply = try await gateway.request(.GET, "/admin/logs")
            #expect(reply.status == 404)
            #expect(reply.errorCode == "request_log_off")
        }
    }
}
