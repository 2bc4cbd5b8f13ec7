import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("GET /metrics serves the request series without a key, with bounded labels")
    func coreSeries() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a"], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model"))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let secret = try await RateLimitTests.key(gateway, #"{"name":"metered","rpm":2}"#)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                _ = try await gateway.stream(body: chatBody(stream: true), key: secret)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 429)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "ghost-\(UUID())")).status == 404)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: "sk-wrong").status == 401)
                let metrics = try await gateway.request(.GET, "/metrics", key: nil)
                #expect(metrics.status == 200)
                let text = metrics.body
                let keyID = try #require(try await gateway.request(.GET, "/admin/keys").body.firstMatch(of: /"id":"(key_[^"]+)"/)?.output.1)
                #expect(
                    text.contains(#"switchyard_requests_total{model="chat",target="up/up-model",provider="openai",status="200",status_class="2xx"} 2"#),
                    "\(text)")
                #expect(text.contains(#"switchyard_requests_total{model="chat",target="none",provider="none",status="429",status_class="4xx"} 1"#))
                // A model the configuration does not know is never a label of its own.
                #expect(text.contains(#"switchyard_requests_total{model="unknown",target="none",provider="none",status="404",status_class="4xx"} 1"#))
                #expect(!text.contains("ghost"))
                #expect(text.contains(#"switchyard_requests_total{model="none",target="none",provider="none",status="401",status_class="4xx"} 1"#))
                #expect(text.contains(#"switchyard_tokens_total{model="chat",kind="input"} 28"#))
                #expect(text.contains(#"switchyard_tokens_total{model="chat",kind="output"} 22"#))
                #expect(text.contains(#"switchyard_request_duration_seconds_bucket{model="chat",le="0.001"}"#))
                #expect(text.contains(#"switchyard_request_duration_seconds_bucket{model="chat",le="60.0"}"#))
                #expect(text.contains(#"switchyard_time_to_first_token_seconds_count{model="chat"} 1"#))
                #expect(text.contains(#"switchyard_cost_usd_total{model="chat"}"#))
                #expect(text.contains(#"switchyard_errors_total{model="chat",type="rate_limit_error"} 1"#))
                #expect(text.contains(#"switchyard_errors_total{model="unknown",type="not_found_error"} 1"#))
                #expect(text.contains(#"switchyard_errors_total{model="none",type="authentication_error"} 1"#))
                #expect(text.contains(#"switchyard_limit_rejections_total{limit="rpm",scope="key"} 1"#))
                // Series labelled by key or team are tenant data: an anonymous scrape has none, the master key's has them.
                #expect(!text.contains("switchyard_key_"))
                #expect(!text.contains(keyID))
                let operatorView = try await gateway.request(.GET, "/metrics").body
                #expect(operatorView.contains(#"switchyard_key_requests_total{key="\#(keyID)",team="none",status_class="2xx"} 2"#))
                #expect(operatorView.contains(#"switchyard_key_requests_total{key="\#(keyID)",team="none",status_class="4xx"} 1"#))
                #expect(operatorView.contains(#"switchyard_key_tokens_total{key="\#(keyID)",team="none"} 50"#))
                let tenantView = try await gateway.request(.GET, "/metrics", key: secret).body
                #expect(!tenantView.contains("switchyard_key_"), "a virtual key does not see other tenants' series")
                let wrongKey = try await gateway.request(.GET, "/metrics", key: "sk-wrong")
                #expect(wrongKey.status == 200, "a scrape that needs no key is not refused for a wrong one")
                #expect(!wrongKey.body.contains("switchyard_key_"))
                #expect(text.contains(#"switchyard_upstream_attempts_total{target="up/up-model",provider="openai",outcome="success"} 2"#))
                #expect(text.contains(#"switchyard_upstream_duration_seconds_count{target="up/up-model",provider="openai",outcome="success"} 2"#))
                #expect(text.contains("switchyard_overhead_seconds_bucket{le=\"0.0001\"}"))
                // Scrapes are not counted: nothing is in flight.
                #expect(text.contains("switchyard_in_flight_requests 0"))
                #expect(text.contains(#"switchyard_storage_queue_depth{writer="usage"}"#))
                #expect(text.contains(#"switchyard_storage_queue_depth{writer="request_log"}"#))
            }
        }
    }

    @Test("retries, fallbacks and circuit state per target")
    func routingSeries() async throws {
        let upstream = UpstreamDouble { request in
            request.model == "broken" ? .json(status: 500, #"{"error":{"message":"down","type":"server_error"}}"#)
                : .json(OpenAIWireSamples.chatCompletion(model: "fine"))
        }
        try await upstream.run { base in
            let yaml = """
                router:
                  backoff_initial_ms: 1
                  backoff_max_ms: 2
                  circuit_breaker: {consecutive_failures: 2, cooldown_seconds: 60}
                providers:
                  - {name: up, type: openai, base_url: UPSTREAM}
                models:
                  - name: primary
                    targets: [{provider: up, model: broken}]
                    retry: {max_attempts: 2}
                    fallbacks: [backup]
                  - name: backup
                    targets: [{provider: up, model: fine}]
                """
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "primary")).status == 200)
                let text = try await gateway.request(.GET, "/metrics", key: nil).body
                #expect(text.contains(#"switchyard_retries_total{model="primary",target="up/broken"} 1"#), "\(text)")
                #expect(text.contains(#"switchyard_fallbacks_total{model="primary",fallback="backup",reason="error"} 1"#))
                #expect(text.contains(#"switchyard_upstream_attempts_total{target="up/broken",provider="openai",outcome="failure"} 2"#))
                #expect(text.contains(#"switchyard_circuit_state{target="up/broken"} 2"#))
                #expect(text.contains(#"switchyard_requests_total{model="primary",target="up/fine",provider="openai",status="200",status_class="2xx"} 1"#))

                // Every series the shipped Grafana dashboard queries is one the gateway exports (only the
                // dropped-records counter needs a storage outage to appear).
                let secret = try await RateLimitTests.key(gateway, #"{"name":"tight","rpm":1}"#)
                _ = try await gateway.request("/v1/chat/completions", body: chatBody(model: "backup"), key: secret)
                _ = try await gateway.request("/v1/chat/completions", body: chatBody(model: "backup"), key: secret)
                let exported = try await gateway.request(.GET, "/metrics").body
                let dashboardURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/grafana/switchyard.json")
                let dashboard = try String(contentsOf: dashboardURL, encoding: .utf8)
                let queried = Set(dashboard.matches(of: /switchyard_[a-z_]+/).map { String($0.output).replacing(/_(bucket|count|sum)$/, with: "") })
                #expect(queried.count >= 12)
                for name in queried.subtracting(["switchyard_storage_dropped_total"]) {
                    #expect(exported.contains("# TYPE \(name) "), "the dashboard queries \(name), which /metrics does not export")
                }
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
