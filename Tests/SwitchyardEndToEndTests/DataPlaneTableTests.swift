import Foundation
import NIOHTTP1
import SwitchyardTesting
import Testing

/// The data-plane routes are answered from a table of exact paths, every other path by the router; a path with a
/// trailing slash reaches the same route through the router, so each case here is sent both ways and must be
/// answered alike.
@Suite("Data-plane routes answer the same from the table and through the router")
struct DataPlaneTableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var body: String
        var key: String? = GatewayHarness.masterKey
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a chat completion", path: "/v1/chat/completions", body: chatBody()),
        Case(name: "a chat completion without /v1", path: "/chat/completions", body: chatBody()),
        Case(name: "a streamed chat completion", path: "/v1/chat/completions", body: chatBody(stream: true)),
        Case(name: "a refused key", path: "/v1/chat/completions", body: chatBody(), key: "sk-not-a-key"),
        Case(name: "no key", path: "/v1/chat/completions", body: chatBody(), key: nil),
        Case(name: "an unknown model", path: "/v1/chat/completions", body: chatBody(model: "nope")),
        Case(name: "a body that is not JSON", path: "/v1/chat/completions", body: "{not json"),
        Case(name: "embeddings", path: "/v1/embeddings", body: #"{"model":"embed","input":"hello"}"#),
        Case(name: "embeddings without input", path: "/embeddings", body: #"{"model":"embed"}"#),
        Case(
            name: "an Anthropic message", path: "/v1/messages",
            body: #"{"model":"chat","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}"#),
        Case(name: "an Anthropic message with a refused key", path: "/v1/messages", body: #"{"model":"chat"}"#, key: "sk-not-a-key"),
    ]

    /// Headers that must match between the two ways (ids and timings differ by nature).
    static let comparedHeaders = ["content-type", "x-switchyard-target", "x-switchyard-attempts", "x-ratelimit-limit-requests"]

    @Test("each case gets the same status, body and headers both ways", arguments: cases)
    func sameAnswer(_ testCase: Case) async throws {
        let upstream = UpstreamDouble { request in
            if request.path.hasSuffix("/embeddings") { return .json(OpenAIWireSamples.embeddings(model: "up-embedding")) }
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hel", "lo"]).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let table = try await gateway.request(testCase.path, body: testCase.body, key: testCase.key)
                let router = try await gateway.request(testCase.path + "/", body: testCase.body, key: testCase.key)
                #expect(table.status == router.status)
                #expect(table.body == router.body)
                for name in Self.comparedHeaders {
                    #expect(table.headers[name] == router.headers[name], "\(name)")
                }
                // Both went through the envelope.
                #expect(!table.headers["x-request-id"].isEmpty && !router.headers["x-request-id"].isEmpty)
                #expect(table.headers["x-request-id"] != router.headers["x-request-id"])
                #expect(!table.headers["x-switchyard-overhead-ms"].isEmpty && !router.headers["x-switchyard-overhead-ms"].isEmpty)
            }
        }
    }

    @Test("both ways are metered and logged as requests")
    func bothCounted() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200)
                #expect(try await gateway.request("/v1/chat/completions/", body: chatBody()).status == 200)
                #expect(upstream.requests.count == 2)
                let metrics = try await gateway.request(.GET, "/metrics")
                let line = metrics.body.split(separator: "\n").first {
                    $0.hasPrefix("switchyard_requests_total{") && $0.contains(#"model="chat""#) && $0.contains(#"status="200""#)
                }
                #expect(line?.split(separator: " ").last == "2", "\(line ?? "no series")")
            }
        }
    }
}
