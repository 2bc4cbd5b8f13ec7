import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite("Usage, spend and budgets")
struct SpendTests {
    static let yaml = GatewayHarness.singleModel + "\n  - name: mini\n    targets: [{provider: up, model: gpt-4o-mini}]"

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: request.model ?? "", pieces: ["a"], includeUsage: request.text.contains("include_usage")).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))  // usage: 19 in, 10 out
        }
    }

    /// Waits for the usage writer (it flushes every 250 ms).
    static func flushed() async throws { try await Task.sleep(for: .milliseconds(600)) }

    @Test("every request is recorded and priced; /admin/usage adds them up by key, model and day")
    func usage() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let created = try await gateway.request("/admin/keys", body: #"{"name":"meter"}"#)
                let secret = try #require(created.json["key"] as? String)
                let keyID = try #require(created.json["id"] as? String)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "mini"), key: secret).status == 200)
                let (_, _, streamed) = try await gateway.stream(body: chatBody(stream: true), key: secret)
                #expect(!streamed.contains("\"usage\""), "the usage chunk the gateway asked for is not passed on")
                #expect(upstream.requests.last?.text.contains(#""stream_options":{"include_usage":true}"#) == true)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "nope"), key: secret).status == 404)
                try await Self.flushed()

                let byModel = try await gateway.request(.GET, "/admin/usage?key_id=\(keyID)&group_by=model")
                #expect(byModel.status == 200)
                let rows = try #require(byModel.json["data"] as? [[String: Any]])
                let chat = try #require(rows.first { $0["group"] as? String == "chat" })
                #expect(chat["requests"] as? Int == 2)
                #expect(chat["prompt_tokens"] as? Int == 19 + 9)
                #expect(chat["completion_tokens"] as? Int == 10 + 12)
                // chat is priced in the configuration (1 and 2 USD per million); mini by the built-in table (0.15 and 0.60).
                #expect(abs((chat["cost_usd"] as? Double ?? 0) - (28 * 1 + 22 * 2) / 1e6) < 1e-9)
                let mini = try #require(rows.first { $0["group"] as? String == "mini" })
                #expect(abs((mini["cost_usd"] as? Double ?? 0) - (19 * 0.15 + 10 * 0.60) / 1e6) < 1e-9)
                #expect(rows.first { $0["group"] as? String == "nope" }?["requests"] as? Int == 1, "refused requests are recorded too")

                let today = String(Date().ISO8601Format().prefix(10))
                let byDay = try await gateway.request(.GET, "/admin/usage?group_by=day&from=\(today)")
                #expect((byDay.json["data"] as? [[String: Any]])?.first?["group"] as? String == today)
                #expect(try await gateway.request(.GET, "/admin/usage?group_by=week").status == 400)
                #expect(try await gateway.request(.GET, "/admin/usage?from=yesterday").status == 400)

                let key = try await gateway.request(.GET, "/admin/keys/\(keyID)")
                #expect((key.json["spend_usd"] as? Double ?? 0) > 0)
            }
        }
    }

    @Test("a spent budget gets 429 until its period starts over")
    func budget() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                // Each request costs 39 millionths of a dollar; the budget allows one, and the next in flight.
                let secret = try #require(
                    try await gateway.request("/admin/keys", body: #"{"name":"thrifty","max_budget_usd":0.00005,"budget_period":"daily"}"#)
                        .json["key"] as? String)
                var statuses: [Int] = []
                var last: GatewayClient.Reply?
                for _ in 0..<3 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                    statuses.append(reply.status)
                    last = reply
                }
                #expect(statuses == [200, 200, 429])
                #expect(last?.errorCode == "budget_exceeded")
                #expect(last?.errorMessage.hasPrefix("The daily budget of $5e-05 for key 'thrifty' is spent") == true)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200, "the master key has no budget")
            }
        }
    }
}

@Suite("Budget alerts")
struct BudgetAlertTests {
    @Test("reaching a soft budget posts one alert to the webhook per period")
    func softBudget() async throws {
        let upstream = SpendTests.upstream()
        try await upstream.run { base in
            let yaml = "alerts:\n  webhook_url: \(base)/hook\n" + SpendTests.yaml
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let secret = try #require(
                    try await gateway.request("/admin/keys", body: #"{"name":"watched","soft_budget_usd":0.00005,"budget_period":"monthly"}"#)
                        .json["key"] as? String)
                for _ in 0..<4 { #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200) }
                let deadline = ContinuousClock.now + .seconds(3)
                while upstream.requests.filter({ $0.path == "/v1/hook" }).isEmpty && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await Task.sleep(for: .milliseconds(200))
                let hooks = upstream.requests.filter { $0.path == "/v1/hook" }
                #expect(hooks.count == 1)
                let alert = try #require(hooks.first).json
                #expect(alert["type"] as? String == "soft_budget_reached")
                #expect(alert["scope"] as? String == "key")
                #expect(alert["name"] as? String == "watched")
                #expect(alert["period"] as? String == "monthly")
                #expect((alert["spend_usd"] as? Double ?? 0) >= 0.00005)
            }
        }
    }
}

@Suite("Spend across replicas", .enabled(if: PostgresTestDatabase.url != nil))
struct ReplicaSpendTests {
    @Test("a budget spent through one replica is refused on the other within the sync interval")
    func budgetAcrossReplicas() async throws {
        let upstream = SpendTests.upstream()
        try await upstream.run { base in
            try await PostgresTestDatabase.with { location in
                let configuration = try GatewayHarness.configuration(
                    yaml: "storage:\n  sync_interval_seconds: 0.2\n" + SpendTests.yaml, upstream: base, storage: location)
                try await GatewayHarness.withGateway(configuration: configuration) { first in
                    try await GatewayHarness.withGateway(configuration: configuration) { second in
                        let secret = try #require(
                            try await first.request("/admin/keys", body: #"{"name":"shared-budget","max_budget_usd":0.00003}"#).json["key"] as? String)
                        #expect(try await ReplicaTests.eventually { try await second.request(.GET, "/v1/models", key: secret).status == 200 })
                        #expect(try await first.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                        #expect(try await ReplicaTests.eventually {
                            try await second.request("/v1/chat/completions", body: chatBody(), key: secret).errorCode == "budget_exceeded"
                        })
                    }
                }
            }
        }
    }
}

@Suite("Token quotas")
struct TokenQuotaTests {
    @Test("a used token quota gets 429")
    func quota() async throws {
        let upstream = SpendTests.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: SpendTests.yaml, upstream: base) { gateway in
                // Each answer reports 29 tokens.
                let secret = try #require(try await gateway.request("/admin/keys", body: #"{"name":"quota","token_quota":50,"budget_period":"weekly"}"#).json["key"] as? String)
                var statuses: [Int] = []
                var last: GatewayClient.Reply?
                for _ in 0..<3 {
                    last = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                    statuses.append(last!.status)
                }
                #expect(statuses == [200, 200, 429])
                #expect(last?.errorMessage == "The weekly token quota of 50 for key 'quota' is used (58 tokens).")
            }
        }
    }
}
