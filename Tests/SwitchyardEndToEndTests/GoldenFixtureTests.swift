import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Golden OpenAI requests and responses cross the gateway byte for byte")
struct GoldenFixtureTests {
    @Test("each request reaches the upstream unchanged but for the model", arguments: [
        "request-tools.json", "request-vision.json", "request-json-schema.json",
    ])
    func request(_ name: String) async throws {
        let fixture = try Fixture.text(name)
        let upstream = UpstreamDouble { _ in .json(try! Fixture.text("response-tool-calls.json")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let sent = fixture.replacingOccurrences(of: #""model": "gpt-4o""#, with: #""model": "chat""#)
                let reply = try await gateway.request("/v1/chat/completions", body: sent)
                #expect(reply.status == 200)
                let expectedUpstream = fixture.replacingOccurrences(of: #""model": "gpt-4o""#, with: #""model": "up-model""#)
                #expect(upstream.requests.first?.text == expectedUpstream)
            }
        }
    }

    @Test("a response with tool calls reaches the client unchanged but for the model")
    func toolCallResponse() async throws {
        let response = try Fixture.text("response-tool-calls.json")
        let upstream = UpstreamDouble { _ in .json(response) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: try Fixture.text("request-tools.json")
                    .replacingOccurrences(of: #""model": "gpt-4o""#, with: #""model": "chat""#))
                #expect(reply.body == response.replacingOccurrences(of: #""model": "gpt-4o-2024-08-06""#, with: #""model": "chat""#))
            }
        }
    }
}
