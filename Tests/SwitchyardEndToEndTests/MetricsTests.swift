import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("GET /metrics serves the core series without a key")
    func coreSeries() async throws {
        let upstream = OpenAIUpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a"], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200)
                _ = try await gateway.stream(body: chatBody(stream: true))
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "ghost")).status == 404)
                let metrics = try await gateway.request(.GET, "/metrics", key: nil)
                #expect(metrics.status == 200)
                let text = metrics.body
                #expect(text.contains(#"switchyard_requests_total{model="chat",target="up/up-model",status="200"} 2"#), "\(text)")
                #expect(text.contains(#"switchyard_requests_total{model="ghost",target="none",status="404"} 1"#))
                #expect(text.contains(#"switchyard_tokens_total{model="chat",kind="prompt"} 28"#))
                #expect(text.contains(#"switchyard_tokens_total{model="chat",kind="completion"} 22"#))
                #expect(text.contains("switchyard_request_duration_seconds_bucket"))
                #expect(text.contains(#"switchyard_time_to_first_token_seconds_count{model="chat"} 1"#))
                #expect(text.contains(#"switchyard_cost_usd_total{model="chat"}"#))
            }
        }
    }

    @Test("metrics.require_key puts /metrics behind a key")
    func requireKey() async throws {
        try await GatewayHarness.withGateway(yaml: "metrics:\n  require_key: true\n" + GatewayHarness.singleModel) { gateway in
            let anonymous = try await gateway.request(.GET, "/metrics", key: nil)
            let authorized = try await gateway.request(.GET, "/metrics")
            #expect(anonymous.status == 401)
            #expect(authorized.status == 200)
        }
    }
}
