import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import Synchronization
import SwitchyardTesting
import Testing

/// Two providers on one upstream double; the upstream model name tells the double how to behave.
func twoTargetYAML(
    strategy: String = "round-robin", first: String = "a", second: String = "b", extraTarget: String = "", model: String = "",
    timeoutSeconds: Int = 2
) -> String {
    """
    providers:
      - {name: p1, type: openai, base_url: UPSTREAM, timeout_seconds: \(timeoutSeconds)}
      - {name: p2, type: openai, base_url: UPSTREAM, timeout_seconds: \(timeoutSeconds)}
    router:
      backoff_initial_ms: 10
      backoff_max_ms: 50
      circuit_breaker: {consecutive_failures: 3, cooldown_seconds: 30}
    models:
      - name: chat
        strategy: \(strategy)
        targets:
          - {provider: p1, model: \(first)\(extraTarget)}
          - {provider: p2, model: \(second)}
    \(model)
    """
}

/// An upstream that answers by upstream model: `fail*` 500, `hang*` never, `slow*` after 400 ms, `sluggish*` after
/// 1.5 s, anything else at once.
func makeBehaviourUpstream() -> UpstreamDouble {
    UpstreamDouble { request in
        let model = request.model ?? ""
        if model.hasPrefix("fail") { return .json(status: 500, #"{"error":{"message":"internal failure","type":"server_error"}}"#) }
        if model.hasPrefix("hang") { return .silence(.seconds(10)) }
        if model.hasPrefix("slow") { return .json(OpenAIWireSamples.chatCompletion(model: model), after: .milliseconds(400)) }
        if model.hasPrefix("sluggish") { return .json(OpenAIWireSamples.chatCompletion(model: model), after: .milliseconds(1500)) }
        return .json(OpenAIWireSamples.chatCompletion(model: model))
    }
}

@Suite("Routing strategies")
struct RoutingStrategyTests {
    @Test("weighted spreads requests in proportion to the weights")
    func weighted() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(strategy: "weighted", extraTarget: ", weight: 3"), upstream: base) { gateway in
                for _ in 0..<200 { _ = try await gateway.request("/v1/chat/completions", body: chatBody()) }
                let heavy = upstream.requests.filter { $0.model == "a" }.count
                #expect((125...175).contains(heavy), "\(heavy) of 200 went to the weight-3 target")
            }
        }
    }

    @Test("lowest-cost always tries the cheaper target first")
    func lowestCost() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        let yaml = twoTargetYAML(strategy: "lowest-cost", extraTarget: ", price: {input: 5, output: 15}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                for _ in 0..<10 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.headers.first(name: "x-switchyard-target") == "p2/b")
                }
            }
        }
    }

    @Test("lowest-latency settles on the faster target")
    func lowestLatency() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            // Far slower than a loaded machine can make the fast target look: its first measurement decides its place.
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(strategy: "lowest-latency", first: "sluggish-a"), upstream: base) { gateway in
                for _ in 0..<30 { _ = try await gateway.request("/v1/chat/completions", body: chatBody()) }
                let targets = try await gateway.request(.GET, "/admin/targets")
                let data = try #require(targets.json["data"] as? [[String: Any]])
                let slow = try #require(data.first { $0["model"] as? String == "sluggish-a" })
                let fast = try #require(data.first { $0["model"] as? String == "b" })
                #expect((fast["requests"] as? Int ?? 0) >= 20, "\(data)")
                #expect((slow["requests"] as? Int ?? 0) <= 10, "\(data)")
                #expect((slow["latency_ms"] as? Double ?? 0) > 1000)
            }
        }
    }

    @Test("least-busy sends concurrent requests to the target with fewer in flight")
    func leastBusy() async throws {
        // The upstream answers none until all six are in flight, so every choice sees the ones made before it (six
        // stays under the test client's eight connections to one host). The timeout is far above what a loaded machine
        // needs to get all six there, so no request fails over.
        let allInFlight = ArrivalBarrier(count: 6)
        let upstream = UpstreamDouble { request in
            await allInFlight.arrive(limit: .seconds(25))
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(strategy: "least-busy", timeoutSeconds: 30), upstream: base) { gateway in
                try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                            let target = reply.headers.first(name: "x-switchyard-target") ?? "?"
                            return "\(target)" + (reply.headers.first(name: "x-switchyard-attempts").map { $0 == "1" ? "" : " after \($0) attempts" } ?? "")
                        }
                    }
                    var counts: [String: Int] = [:]
                    for try await target in group { counts[target, default: 0] += 1 }
                    // Each choice reserves its target in the same step, so even requests choosing at the same instant
                    // split evenly.
                    #expect(counts == ["p1/a": 3, "p2/b": 3], "\(counts)")
                }
            }
        }
    }

    @Test("a target at its rpm capacity is skipped")
    func rpmCapacity() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(strategy: "lowest-cost", second: "b, price: {input: 9, output: 9}", extraTarget: ", rpm: 3"), upstream: base) { gateway in
                var answeredBy: [String] = []
                for _ in 0..<5 {
                    answeredBy.append(try await gateway.request("/v1/chat/completions", body: chatBody()).headers.first(name: "x-switchyard-target") ?? "")
                }
                #expect(answeredBy == ["p1/a", "p1/a", "p1/a", "p2/b", "p2/b"])
            }
        }
    }
}

@Suite("Retries, fallbacks, breakers and hedging")
struct ResilienceTests {
    @Test("a failing target is retried on the other and the headers tell which answered after how many attempts")
    func retryOnOtherTarget() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(first: "fail-a"), upstream: base) { gateway in
                for _ in 0..<2 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.status == 200)
                    #expect(reply.headers.first(name: "x-switchyard-target") == "p2/b")
                    #expect(["1", "2"].contains(reply.headers.first(name: "x-switchyard-attempts")))
                }
            }
        }
    }

    @Test("a single target is retried after a backoff that honours Retry-After")
    func retryAfter() async throws {
        let calls = Counter()
        let upstream = UpstreamDouble { request in
            if calls.increment() == 1 {
                return .json(status: 429, OpenAIWireSamples.error("slow down", type: "requests", code: "rate_limit_exceeded"), headers: [("retry-after", "1")])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "x-switchyard-attempts") == "2")
                #expect(ContinuousClock.now - start >= .seconds(1))
            }
        }
    }

    @Test("client errors are never retried")
    func noRetryOnClientError() async throws {
        let upstream = UpstreamDouble { _ in .json(status: 422, OpenAIWireSamples.error("bad schema", type: "invalid_request_error", code: nil)) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(), upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 422)
                #expect(upstream.requests.count == 1)
            }
        }
    }

    @Test("nothing is retried once a stream has started")
    func noRetryAfterStreamStarted() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "x", pieces: ["a"])
        let upstream = UpstreamDouble { _ in .events([.data(chunks[0])], thenDie: true) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: twoTargetYAML(), upstream: base) { gateway in
                let (_, _, text) = try await gateway.stream(body: chatBody(stream: true))
                #expect(sseData(text).last?.contains("error") == true)
                #expect(upstream.requests.count == 1)
            }
        }
    }

    @Test("the deadline bounds every attempt together")
    func deadline() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            let yaml = twoTargetYAML(first: "hang-a", second: "hang-b").replacingOccurrences(of: "strategy: round-robin", with: "strategy: round-robin\n    retry: {deadline_seconds: 0.6, max_attempts: 10}")
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 504)
                #expect(reply.errorCode == "deadline_exceeded", "\(reply.body)")
                // The first attempt is cut at the deadline (its provider would wait 2 s, its target 10 s), and no
                // second one starts after it (on a starved machine the first may not even have arrived).
                #expect(behaviourUpstream.requests.count <= 1)
                // Far below the provider's timeout twice over, with room for a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(3.9))
            }
        }
    }

    @Test("context-window and content-policy refusals move to their own fallbacks")
    func specialFallbacks() async throws {
        let upstream = UpstreamDouble { request in
            switch request.model {
            case "small":
                return .json(status: 400, OpenAIWireSamples.error("This model's maximum context length is 8192 tokens.", type: "invalid_request_error", code: "context_length_exceeded"))
            case "strict":
                return .json(status: 400, OpenAIWireSamples.error("The response was filtered due to the prompt triggering content management policy.", type: "invalid_request_error", code: "content_filter"))
            default:
                return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
            }
        }
        let yaml = """
            providers: [{name: p, type: openai, base_url: UPSTREAM}]
            models:
              - {name: short, targets: [{provider: p, model: small}], context_window_fallbacks: [long]}
              - {name: careful, targets: [{provider: p, model: strict}], content_policy_fallbacks: [lenient]}
              - {name: plain, targets: [{provider: p, model: small}], fallbacks: [long]}
              - {name: long, targets: [{provider: p, model: large}]}
              - {name: lenient, targets: [{provider: p, model: relaxed}]}
            """
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let long = try await gateway.request("/v1/chat/completions", body: chatBody(model: "short"))
                #expect(long.status == 200)
                #expect(long.headers.first(name: "x-switchyard-target") == "p/large")
                #expect(long.json["model"] as? String == "short")
                let lenient = try await gateway.request("/v1/chat/completions", body: chatBody(model: "careful"))
                #expect(lenient.headers.first(name: "x-switchyard-target") == "p/relaxed")
                // An ordinary fallback is for failures, not for the client's own errors.
                let plain = try await gateway.request("/v1/chat/completions", body: chatBody(model: "plain"))
                #expect(plain.status == 400)
                #expect(plain.errorCode == "context_length_exceeded")
            }
        }
    }

    @Test("a failing target's circuit opens, it stops getting traffic, and the admin API and readiness show it")
    func circuitBreaker() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            let yaml = twoTargetYAML(first: "fail-a") + "\n  - {name: doomed, targets: [{provider: p1, model: fail-a}]}"
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                for _ in 0..<6 { _ = try await gateway.request("/v1/chat/completions", body: chatBody()) }
                let before = behaviourUpstream.requests.filter { $0.model == "fail-a" }.count
                for _ in 0..<10 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.status == 200)
                    #expect(reply.headers.first(name: "x-switchyard-attempts") == "1")
                }
                #expect(behaviourUpstream.requests.filter { $0.model == "fail-a" }.count == before)
                let targets = try await gateway.request(.GET, "/admin/targets")
                let data = try #require(targets.json["data"] as? [[String: Any]])
                let failed = try #require(data.first { $0["model"] as? String == "fail-a" })
                #expect(failed["state"] as? String == "open")
                #expect((failed["last_error"] as? String)?.contains("internal failure") == true)
                #expect(failed["in_flight"] as? Int == 0)
                let doomed = try await gateway.request("/v1/chat/completions", body: chatBody(model: "doomed"))
                #expect(doomed.status == 502)
                #expect(doomed.errorMessage.contains("circuit is open"))
                // Readiness never depends on upstreams: the replica stays in its load balancer, and reports the model.
                let ready = try await gateway.request(.GET, "/health/ready", key: nil)
                #expect(ready.status == 200)
                let models = try #require(ready.json["models"] as? [String: [String: Any]])
                #expect(models["doomed"]?["state"] as? String == "unavailable")
                #expect(models["doomed"]?["open_circuits"] as? Int == 1)
                let doomedReady = try await gateway.request(.GET, "/health/ready?model=doomed", key: nil)
                #expect(doomedReady.status == 503)
                #expect(doomedReady.body.contains("no usable target"))
                #expect(try await gateway.request(.GET, "/health/ready?model=ghost", key: nil).status == 404)
            }
        }
    }

    @Test("active health checks open a dead target's circuit before any user request")
    func activeHealthChecks() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            let yaml = twoTargetYAML(first: "fail-a").replacingOccurrences(of: "strategy: round-robin", with: "strategy: round-robin\n    health_check: {interval_seconds: 1}")
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                // A probe's deadline is the interval: long enough that a loaded test machine does not fail a healthy one.
                // The probes' schedule is the machine's to keep: wait (up to 15 s) for the circuit, not a fixed time.
                let deadline = ContinuousClock.now + .seconds(15)
                var data: [[String: Any]] = []
                repeat {
                    try await Task.sleep(for: .milliseconds(250))
                    data = try #require(try await gateway.request(.GET, "/admin/targets").json["data"] as? [[String: Any]])
                } while data.first(where: { $0["model"] as? String == "fail-a" })?["state"] as? String != "open" && ContinuousClock.now < deadline
                #expect(data.first { $0["model"] as? String == "fail-a" }?["state"] as? String == "open")
                #expect(data.first { $0["model"] as? String == "b" }?["state"] as? String == "closed")
                let probes = behaviourUpstream.requests.filter { $0.text.contains(#""max_tokens":1"#) }
                #expect(probes.contains { $0.model == "fail-a" } && probes.contains { $0.model == "b" }, "each target was probed")
            }
        }
    }

    @Test("hedging starts a second target when the first is slow, and the first answer wins")
    func hedging() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            let yaml = twoTargetYAML(strategy: "lowest-cost", first: "hang-a", second: "b, price: {input: 9, output: 9}")
                .replacingOccurrences(of: "strategy: lowest-cost", with: "strategy: lowest-cost\n    hedge_after_ms: 100")
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
                // The first target hangs for 10 s: the hedge answered long before, with room for a loaded machine.
                #expect(ContinuousClock.now - start < .milliseconds(8000))
                #expect(reply.headers.first(name: "x-switchyard-target") == "p2/b")
                #expect(reply.headers.first(name: "x-switchyard-attempts") == "2")
            }
        }
    }

    @Test("with hedging on, a first target that fails before the hedge starts is followed by the second")
    func hedgingAfterEarlyFailure() async throws {
        let behaviourUpstream = makeBehaviourUpstream()
        try await behaviourUpstream.run { base in
            let yaml = twoTargetYAML(strategy: "lowest-cost", first: "fail-a", second: "b, price: {input: 9, output: 9}")
                .replacingOccurrences(of: "strategy: lowest-cost", with: "strategy: lowest-cost\n    hedge_after_ms: 5000")
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
                // Before the hedge would have started (5 s), with room for a loaded machine.
                #expect(ContinuousClock.now - start < .milliseconds(4900))
                #expect(reply.headers.first(name: "x-switchyard-target") == "p2/b")
                #expect(reply.headers.first(name: "x-switchyard-attempts") == "2")
            }
        }
    }

    @Test("hundreds of concurrent requests keep in-flight counts and breakers consistent")
    func concurrency() async throws {
        let flaky = Counter()
        let upstream = UpstreamDouble { request in
            if request.model == "a", flaky.increment() % 4 == 0 {
                return .json(status: 503, #"{"error":{"message":"busy","type":"server_error"}}"#)
            }
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: request.model ?? "", pieces: ["x", "y"]).map { .data($0, after: .milliseconds(5)) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""), after: .milliseconds(5))
        }
        let yaml = twoTargetYAML(strategy: "least-busy", timeoutSeconds: 30).replacingOccurrences(of: "consecutive_failures: 3", with: "consecutive_failures: 1000")
            .replacingOccurrences(of: "circuit_breaker: {", with: "circuit_breaker: {error_rate: 1, ")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<300 {
                        group.addTask {
                            if index.isMultiple(of: 3) {
                                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true))
                                return sseData(text).last == "[DONE]" ? status : -1
                            }
                            return try await gateway.request("/v1/chat/completions", body: chatBody()).status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.count == 300)
                #expect(statuses.allSatisfy { $0 == 200 })
                let data = try #require(try await gateway.request(.GET, "/admin/targets").json["data"] as? [[String: Any]])
                #expect(data.allSatisfy { $0["in_flight"] as? Int == 0 }, "\(data)")
                let recorded = data.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
                #expect(recorded == upstream.requests.count)
                let failures = data.reduce(0) { $0 + ($1["failures"] as? Int ?? 0) }
                #expect(failures == upstream.requests.count - 300)
            }
        }
    }
}

/// A thread-safe counter for upstream scripts.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds one and returns the new count.
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}

