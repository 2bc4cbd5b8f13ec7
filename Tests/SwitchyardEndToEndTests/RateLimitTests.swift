import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Rate limits per key and team")
struct RateLimitTests {
    static func key(_ gateway: GatewayClient, _ body: String) async throws -> String {
        let reply = try await gateway.request("/admin/keys", body: body)
        return try #require(reply.json["key"] as? String, "\(reply.body)")
    }

    @Test("requests per minute: headers count down, then 429 with Retry-After naming the key")
    func requestsPerMinute() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await Self.key(gateway, #"{"name":"limited","rpm":3}"#)
                var remaining: [String] = []
                for _ in 0..<3 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                    #expect(reply.status == 200)
                    #expect(reply.headers.first(name: "x-ratelimit-limit-requests") == "3")
                    remaining.append(reply.headers.first(name: "x-ratelimit-remaining-requests") ?? "")
                }
                #expect(remaining == ["2", "1", "0"])
                let refused = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                #expect(refused.status == 429)
                #expect(refused.errorMessage == "The limit of 3 requests per minute for key 'limited' is reached.")
                let retryAfter = try #require(Int(refused.headers.first(name: "retry-after") ?? ""))
                #expect((1...20).contains(retryAfter))
                #expect(upstream.requests.count == 3, "a refused request never reaches the upstream")
                // The master key is not limited.
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200)
            }
        }
    }

    @Test("a model that is not served is a 404 that costs the key no request of its limit")
    func unknownModelIsFree() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await Self.key(gateway, #"{"name":"one-a-minute","rpm":1}"#)
                let unknown = #"{"model":"no-such-model","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]}"#
                #expect(try await gateway.request("/v1/chat/completions", body: unknown, key: secret).status == 404)
                #expect(try await gateway.request("/v1/messages/count_tokens", body: unknown, key: secret).status == 404)
                #expect(try await gateway.request("/v1/messages", body: unknown, key: secret).status == 404)
                // Its one request a minute is still there.
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 429)
            }
        }
    }

    @Test("a team's limit is shared by its keys")
    func teamShared() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let teamID = try #require(try await gateway.request("/admin/teams", body: #"{"name":"squad","rpm":2}"#).json["id"] as? String)
                let first = try await Self.key(gateway, #"{"name":"a","team":"\#(teamID)"}"#)
                let second = try await Self.key(gateway, #"{"name":"b","team":"\#(teamID)"}"#)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: first).status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: second).status == 200)
                let refused = try await gateway.request("/v1/chat/completions", body: chatBody(), key: first)
                #expect(refused.status == 429)
                #expect(refused.errorMessage.contains("team 'squad'"))
            }
        }
    }

    @Test("requests in flight are capped, and a finished stream frees its slot")
    func parallel() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "m", pieces: ["a"]).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""), after: .milliseconds(500))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await Self.key(gateway, #"{"name":"narrow","max_parallel":2}"#)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<3 { group.addTask { try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.sorted() == [200, 200, 429])
                for _ in 0..<3 {
                    let (status, _, text) = try await gateway.stream(body: chatBody(stream: true), key: secret)
                    #expect(status == 200)
                    #expect(sseData(text).last == "[DONE]")
                }
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
            }
        }
    }
}
