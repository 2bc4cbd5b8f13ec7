import Foundation
import NIOHTTP1
import SwitchyardTesting
import Testing

@Suite("Configuration reload")
struct ReloadTests {
    /// A configuration file in a fresh temporary directory, rewritten by the test between reloads.
    struct ConfigurationFile {
        let path: String

        init(_ yaml: String) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-reload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("switchyard.yaml").path
            try write(yaml)
        }

        func write(_ yaml: String) throws {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    static func models(_ routes: String) -> String {
        """
        providers:
          - {name: up, type: openai, base_url: UPSTREAM, api_key: sk-upstream-key}
        models:
        \(routes)
        """
    }

    static func echoUpstream() -> UpstreamDouble { UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) } }

    @Test("a reload adds, changes and removes models; requests after it are routed by the new file")
    func modelsChange() async throws {
        let file = try ConfigurationFile(Self.models("  - {name: chat, targets: [{provider: up, model: first}]}\n  - {name: old, targets: [{provider: up, model: gone}]}"))
        let upstream = Self.echoUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(file: file.path, upstream: base) { gateway in
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200)
                try file.write(Self.models("  - {name: chat, targets: [{provider: up, model: second}]}\n  - {name: added, targets: [{provider: up, model: new}]}"))

                let reload = try await gateway.request("/admin/reload")
                #expect(reload.status == 200, "\(reload.body)")
                #expect(reload.json["reloaded"] as? Bool == true)
                #expect((reload.json["restart_required"] as? [String]) == [])

                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 200)
                #expect(upstream.requests.map(\.model) == ["first", "second"])
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "added")).status == 200)
                let removed = try await gateway.request("/v1/chat/completions", body: chatBody(model: "old"))
                #expect(removed.status == 404, "\(removed.body)")
                let listed = try await gateway.request(.GET, "/v1/models")
                let names = Set((listed.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                #expect(names == ["chat", "added"])
            }
        }
    }

    @Test("a bad file is refused with the key path of each problem, and the running configuration keeps serving")
    func badFileRefused() async throws {
        let file = try ConfigurationFile(Self.models("  - {name: chat, targets: [{provider: up, model: first}]}"))
        let upstream = Self.echoUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(file: file.path, upstream: base) { gateway in
                try file.write(Self.models("  - {name: chat, targets: [{provider: nowhere, model: first}]}\n  - {name: other, strategy: fastest, targets: [{provider: up, model: x}]}"))
                let refused = try await gateway.request("/admin/reload")
                #expect(refused.status == 400, "\(refused.body)")
                #expect(refused.errorCode == "invalid_configuration")
                let error = try #require(refused.json["error"] as? [String: Any])
                let paths = (error["problems"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
                #expect(paths.contains("models[0].targets[0].provider"), "\(refused.body)")
                #expect(paths.contains("models[1].strategy"), "\(refused.body)")
                #expect(refused.errorMessage.contains("models[0].targets[0].provider"))

                try file.write("providers: [")
                let unparsable = try await gateway.request("/admin/reload")
                #expect(unparsable.status == 400)
                #expect(unparsable.errorMessage.contains("YAML"), "\(unparsable.body)")

                let served = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(served.status == 200, "\(served.body)")
                #expect(upstream.requests.last?.model == "first")
            }
        }
    }

    @Test("settings that need a restart are named in the answer and keep their running values")
    func restartRequired() async throws {
        let yaml = Self.models("  - {name: chat, targets: [{provider: up, model: first}]}")
        let file = try ConfigurationFile(yaml)
        let upstream = Self.echoUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(file: file.path, upstream: base) { gateway in
                try file.write(
                    yaml.replacingOccurrences(of: "models:", with: "models:\n  - {name: late, targets: [{provider: up, model: late}]}")
                        + "\nserver: {max_body_bytes: 10}\nlogging: {level: debug}\nui: {enabled: false}\n")
                let reload = try await gateway.request("/admin/reload")
                #expect(reload.status == 200, "\(reload.body)")
                #expect((reload.json["restart_required"] as? [String]) == ["server.max_body_bytes", "ui.enabled"], "\(reload.body)")
                // The rest of the file applies; the body limit is still the running one.
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody(model: "late"))
                #expect(reply.status == 200, "\(reply.body)")
            }
        }
    }

    @Test("a request in flight finishes on the configuration it started with")
    func inFlightKeepsItsSnapshot() async throws {
        let file = try ConfigurationFile(Self.models("  - {name: chat, targets: [{provider: up, model: slow}]}"))
        let arrived = ArrivalBarrier(count: 2)
        let released = ArrivalBarrier(count: 2)
        let upstream = UpstreamDouble { request in
            if request.model == "slow" {
                await arrived.arrive()
                await released.arrive()
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(file: file.path, upstream: base) { gateway in
                async let inFlight = gateway.request("/v1/chat/completions", body: chatBody())
                await arrived.arrive()
                try file.write(Self.models("  - {name: renamed, targets: [{provider: up, model: fast}]}"))
                #expect(try await gateway.request("/admin/reload").status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody()).status == 404)
                await released.arrive()
                let finished = try await inFlight
                #expect(finished.status == 200, "\(finished.body)")
                #expect(finished.headers.first(name: "x-switchyard-target") == "up/slow")
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "renamed")).status == 200)
            }
        }
    }

    @Test("guardrails, prices and the request log follow the file")
    func featuresFollow() async throws {
        let base = Self.models("  - name: chat\n    targets: [{provider: up, model: m, price: {input: 1, output: 2}}]")
        let file = try ConfigurationFile(base + "\nlogging: {request_log: false}\n")
        let upstream = Self.echoUpstream()
        try await upstream.run { url in
            try await GatewayHarness.withGateway(file: file.path, upstream: url) { gateway in
                let secret = "Tell me about project nightingale"
                let body = #"{"model":"chat","messages":[{"role":"user","content":"\#(secret)"}]}"#
                #expect(try await gateway.request("/v1/chat/completions", body: body).status == 200)
                #expect(try await gateway.request(.GET, "/admin/logs").status == 404)

                try file.write(
                    base.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [codename]\n")
                        .replacingOccurrences(of: "input: 1, output: 2", with: "input: 1000, output: 2000")
                        + "\nguardrails:\n  - {name: codename, type: words, words: [project nightingale], action: block}\nlogging: {request_log: true}\n")
                #expect(try await gateway.request("/admin/reload").status == 200)

                let blocked = try await gateway.request("/v1/chat/completions", body: body)
                #expect(blocked.status == 400, "\(blocked.body)")
                #expect(blocked.errorCode == "guardrail_blocked")
                let priced = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(priced.status == 200)
                // Two answers of 19 prompt and 10 completion tokens: the first at $1 and $2 per million, the second
                // at $1000 and $2000.
                let expected: Double = 39_039 / 1e6
                var cost = 0.0
                for _ in 0..<50 {
                    let usage = try await gateway.request(.GET, "/admin/usage")
                    cost = (usage.json["data"] as? [[String: Any]])?.first?["cost_usd"] as? Double ?? 0
                    if abs(cost - expected) < 1e-9 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(abs(cost - expected) < 1e-9, "\(cost) instead of \(expected)")
                // The request log, off before the reload, now keeps rows.
                #expect(try await ReplicaTests.eventually {
                    let logs = try await gateway.request(.GET, "/admin/logs?model=chat")
                    return (logs.json["data"] as? [[String: Any]])?.isEmpty == false
                })
            }
        }
    }

    @Test("the circuit and counts of a target whose provider did not change survive a reload; a changed provider starts afresh")
    func monitorsCarriedOver() async throws {
        let yaml = """
            providers:
              - {name: up, type: openai, base_url: UPSTREAM}
              - {name: other, type: openai, base_url: UPSTREAM}
            models:
              - {name: chat, targets: [{provider: up, model: kept}]}
              - {name: second, targets: [{provider: other, model: moved}]}
            """
        let file = try ConfigurationFile(yaml)
        let upstream = Self.echoUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(file: file.path, upstream: base) { gateway in
                for model in ["chat", "chat", "second"] { _ = try await gateway.request("/v1/chat/completions", body: chatBody(model: model)) }
                try file.write(yaml.replacingOccurrences(of: "{name: other, type: openai, base_url: UPSTREAM}", with: "{name: other, type: openai, base_url: UPSTREAM, timeout_seconds: 9}"))
                #expect(try await gateway.request("/admin/reload").status == 200)
                let targets = try await gateway.request(.GET, "/admin/targets")
                let data = targets.json["data"] as? [[String: Any]] ?? []
                let requests = Dictionary(uniqueKeysWithValues: data.compactMap { row in (row["model"] as? String).map { ($0, row["requests"] as? Int ?? -1) } })
                #expect(requests == ["kept": 2, "moved": 0], "\(targets.body)")
            }
        }
    }

    @Test("only the master key may reload")
    func masterOnly() async throws {
        let file = try ConfigurationFile(Self.models("  - {name: chat, targets: [{provider: up, model: first}]}"))
        try await GatewayHarness.withGateway(file: file.path, upstream: "http://127.0.0.1:9/v1") { gateway in
            let (_, secret) = try await gateway.createKey(#"{"name": "app"}"#)
            let refused = try await gateway.request("/admin/reload", key: secret)
            #expect(refused.status == 403, "\(refused.body)")
            #expect(try await gateway.request("/admin/reload", key: nil).status == 401)
        }
    }
}
