import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardGateway

/// The attempt loop against a scripted provider: which targets it tries, in which order, and when it stops. Time
/// is a manual clock wherever it matters, so nothing here waits in real time.
@Suite("Attempt loop", .timeLimit(.minutes(1)))
struct AttemptLoopTests {
    static let request = ChatRequest(
        body: ByteBuffer(string: #"{"model":"chat","messages":[{"role":"user","content":"Hi"}]}"#), model: "chat", stream: false)

    /// Retries without backoff: a walk that comes back to a target does not wait.
    static let immediate = RetryPolicy(initialBackoff: .zero)

    static func context() -> UpstreamContext {
        var logger = Logger(label: "attempt-loop-tests")
        logger.logLevel = .critical
        return UpstreamContext(requestID: "req", logger: logger, stopwatch: UpstreamStopwatch())
    }

    /// Targets of the provider `up`, one per upstream model.
    static func targets(_ models: String...) -> [Target] {
        models.map { Target(provider: "up", model: $0) }
    }

    static func catalog(_ routes: ModelRoute..., provider: ScriptedProvider, breaker: CircuitBreakerPolicy = CircuitBreakerPolicy()) -> ModelCatalog {
        ModelCatalog(routes: routes, providers: ["up": provider], circuitBreaker: breaker)
    }

    static func answer(_ model: String) -> ScriptedProvider.Outcome {
        .json(OpenAIWireSamples.chatCompletion(model: model))
    }

    /// Walks `model` as a non-streamed chat request, with time on `clock`.
    static func walk(
        _ catalog: ModelCatalog, model: String = "chat", caller: Caller? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> Answered<UpstreamReply> {
        let request = Self.request
        var loop = AttemptLoop<UpstreamReply>(
            catalog: catalog, model: model, caller: caller, operationName: "chat", estimatedTokens: 10, streaming: false, clock: clock
        ) { candidate, context in
            try await candidate.provider.chat(request, model: candidate.target.model, context: context)
        }
        return try await loop.run(context: context())
    }

    /// The gateway error `body` fails with; nil, with an issue recorded, when it answers or fails otherwise.
    static func failure(_ body: () async throws -> Answered<UpstreamReply>) async -> GatewayError? {
        do {
            let answered = try await body()
            Issue.record("expected a failure, got an answer from \(answered.lease.monitor.target.label)")
        } catch let error as GatewayError {
            return error
        } catch {
            Issue.record("expected a GatewayError, got \(error)")
        }
        return nil
    }

    static func monitor(_ catalog: ModelCatalog, _ model: String) throws -> TargetMonitor {
        let monitor = catalog.monitors.first { $0.target.model == model }
        return try #require(monitor)
    }

    // MARK: - Order, retries and client errors

    @Test("tries the targets in order, moving on from each that fails with a retryable error")
    func movesOn() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(503))
        provider.script("b", .error(500))
        provider.script("c", Self.answer("c"))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b", "c"), retry: Self.immediate), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(provider.triedModels == ["a", "b", "c"])
        #expect(answered.lease.monitor.target.model == "c")
        #expect(answered.attempts == 3)
        #expect(catalog.monitors.map { $0.snapshot().failures } == [1, 1, 0], "each failure counts against its own target")
    }

    @Test("a rate limit, a server error or a timeout moves on to the next target", arguments: [429, 500, 502, 503, 504, 529])
    func retryable(status: Int) async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(status))
        provider.script("b", Self.answer("b"))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: Self.immediate), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(provider.triedModels == ["a", "b"])
        #expect(answered.lease.monitor.target.model == "b")
    }

    @Test("a client error ends the walk at once and does not count against the target", arguments: [400, 404, 422])
    func clientError(status: Int) async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(status, code: "invalid_request", message: "'messages' must not be empty."))
        provider.script("b", Self.answer("b"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), fallbacks: ["other"], retry: Self.immediate),
            ModelRoute(name: "other", targets: Self.targets("o")), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(error?.status == status)
        #expect(error?.message == "'messages' must not be empty.")
        #expect(provider.triedModels == ["a"], "neither the next target nor the fallback is tried")
        #expect(try Self.monitor(catalog, "a").snapshot().failures == 0)
    }

    @Test("a target already tried is tried again once every other target failed")
    func retriesSameTarget() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(503), Self.answer("a"))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a"), retry: Self.immediate), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(provider.triedModels == ["a", "a"])
        #expect(answered.attempts == 2)
    }

    @Test("max_attempts bounds the calls of a model, going round its targets")
    func maxAttempts() async throws {
        let provider = ScriptedProvider(otherwise: .error(503))
        let retry = RetryPolicy(maxAttempts: 3, initialBackoff: .zero)
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: retry), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(provider.triedModels == ["a", "b", "a"])
        #expect(error?.status == 502)
        #expect(error?.code == "upstream_error")
    }

    @Test("when every target is rate limited the client gets 429 with the shortest Retry-After")
    func allRateLimited() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(429, retryAfter: 40))
        provider.script("b", .error(429, retryAfter: 20))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: RetryPolicy(maxAttempts: 2)), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(error?.status == 429)
        #expect(error?.retryAfterSeconds == 20)
        #expect(provider.triedModels == ["a", "b"])
    }

    @Test("when every attempt timed out the client gets 504")
    func allTimedOut() async throws {
        let provider = ScriptedProvider(otherwise: .failure(.upstreamTimeout("No answer within 1 s.")))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: Self.immediate), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(error?.status == 504)
        #expect(error?.code == "upstream_timeout")
        #expect(provider.triedModels == ["a", "b", "a"], "one attempt per target, plus one")
    }

    @Test("consecutive requests start at the next target in turn")
    func roundRobin() async throws {
        let provider = ScriptedProvider(otherwise: Self.answer("any"))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b", "c")), provider: provider)
        for _ in 0..<4 { _ = try await Self.walk(catalog) }
        #expect(provider.triedModels == ["a", "b", "c", "a"])
    }

    @Test("least-busy reserves its choice at once: a request choosing before the last one started sees it")
    func leastBusyReservation() throws {
        let catalog = Self.catalog(ModelRoute(name: "chat", strategy: .leastBusy, targets: Self.targets("a", "b")), provider: ScriptedProvider())
        let entry = try #require(catalog.entry("chat"))
        let busy = try Self.monitor(catalog, "b").admit(estimatedTokens: 1, at: .now).get()
        var random = SystemRandomNumberGenerator()
        // With b at one in flight, three choices before any is admitted: a, then (a reserved) the tie goes to b in
        // turn, then a again. Without the reservation all three would see a idle and pick it.
        let choices = (0..<3).map { _ in entry.orderedTargets(streaming: false, using: &random) }
        #expect(choices.map { $0.reserved?.target.model } == ["a", "b", "a"])
        #expect(choices.allSatisfy { $0.targets.first === $0.reserved })
        for choice in choices { choice.reserved?.releaseReservation() }
        busy.finish(.success)
        #expect(catalog.monitors.map(\.load) == [0, 0])
    }

    @Test("a least-busy walk ends its reservation whether its target answered or was refused")
    func leastBusyReleases() async throws {
        let provider = ScriptedProvider(otherwise: Self.answer("any"))
        // `full` takes one request a minute, so later walks that choose it are refused there and move on.
        let targets = Self.targets("a", "b") + [Target(provider: "up", model: "full", rpm: 1)]
        let catalog = Self.catalog(ModelRoute(name: "chat", strategy: .leastBusy, targets: targets), provider: provider)
        for _ in 0..<6 { _ = try await Self.walk(catalog) }
        #expect(catalog.monitors.map(\.load) == [0, 0, 0])
        #expect(provider.triedModels.count == 6)
        #expect(provider.triedModels.filter { $0 == "full" }.count == 1)
    }

    // MARK: - Fallbacks

    @Test("a context-window refusal moves to the context-window fallbacks before any other")
    func contextWindowFallback() async throws {
        let provider = ScriptedProvider()
        provider.script(
            "a", .error(400, code: "context_length_exceeded", message: "This model's maximum context length is 8192 tokens."))
        provider.script("long-1", Self.answer("long-1"))
        provider.script("general-1", Self.answer("general-1"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), fallbacks: ["general"], contextWindowFallbacks: ["long"]),
            ModelRoute(name: "long", targets: Self.targets("long-1")),
            ModelRoute(name: "general", targets: Self.targets("general-1")), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(answered.lease.monitor.target.model == "long-1")
        #expect(provider.triedModels == ["a", "long-1"], "the model's other target cannot fit the conversation either")
        #expect(try Self.monitor(catalog, "a").snapshot().failures == 0, "the target answered; the request was at fault")
    }

    @Test("a content-policy refusal moves to the content-policy fallbacks")
    func contentPolicyFallback() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(400, code: "content_filter", message: "The response was filtered."))
        provider.script("safe-1", Self.answer("safe-1"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a"), contentPolicyFallbacks: ["safe"]),
            ModelRoute(name: "safe", targets: Self.targets("safe-1")), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(answered.lease.monitor.target.model == "safe-1")
        #expect(provider.triedModels == ["a", "safe-1"])
    }

    @Test("a refusal with no matching fallbacks goes to the client; the error fallbacks are not taken for it")
    func refusalWithoutFallbacks() async throws {
        let provider = ScriptedProvider(otherwise: Self.answer("any"))
        provider.script("a", .error(400, code: "context_length_exceeded", message: "Prompt is too long."))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a"), fallbacks: ["general"], contentPolicyFallbacks: ["safe"]),
            ModelRoute(name: "general", targets: Self.targets("general-1")),
            ModelRoute(name: "safe", targets: Self.targets("safe-1")), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(error?.code == "context_length_exceeded")
        #expect(provider.triedModels == ["a"])
    }

    @Test("when every target fails, the fallbacks are tried in order")
    func errorFallbacks() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(503))
        provider.script("first-1", .error(502))
        provider.script("second-1", Self.answer("second-1"))
        let once = RetryPolicy(maxAttempts: 1)
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a"), fallbacks: ["first", "second"], retry: once),
            ModelRoute(name: "first", targets: Self.targets("first-1"), retry: once),
            ModelRoute(name: "second", targets: Self.targets("second-1"), retry: once), provider: provider)
        let answered = try await Self.walk(catalog)
        #expect(provider.triedModels == ["a", "first-1", "second-1"])
        #expect(answered.attempts == 3)
    }

    @Test("fallback models the caller may not use are skipped")
    func forbiddenFallback() async throws {
        let provider = ScriptedProvider()
        provider.script("a", .error(503))
        provider.script("denied-1", Self.answer("denied-1"))
        provider.script("allowed-1", Self.answer("allowed-1"))
        let once = RetryPolicy(maxAttempts: 1)
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a"), fallbacks: ["denied", "allowed"], retry: once),
            ModelRoute(name: "denied", targets: Self.targets("denied-1")),
            ModelRoute(name: "allowed", targets: Self.targets("allowed-1")), provider: provider)
        let key = VirtualKey(
            id: "k1", name: "ci", prefix: "sk-sy", digest: SecretDigest(of: "k1"), teamID: nil, models: ["chat", "allowed"],
            limits: UsageLimits(), expiresAt: nil, metadata: [:], createdAt: Date())
        let answered = try await Self.walk(catalog, caller: .virtualKey(KeyGrant(key: key, team: nil)))
        #expect(answered.lease.monitor.target.model == "allowed-1")
        #expect(provider.triedModels == ["a", "allowed-1"])
    }

    // MARK: - Circuit breakers

    @Test("a target whose circuit is open is skipped")
    func openCircuitSkipped() async throws {
        let provider = ScriptedProvider(otherwise: Self.answer("any"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b")), provider: provider, breaker: CircuitBreakerPolicy(consecutiveFailures: 1))
        let a = try Self.monitor(catalog, "a")
        a.recordProbe(success: false, error: "down", latency: .zero)
        #expect(!a.snapshot().usable)
        let answered = try await Self.walk(catalog)
        #expect(provider.triedModels == ["b"])
        #expect(answered.lease.monitor.target.model == "b")
    }

    @Test("when every circuit is open, no upstream is called and the client learns why")
    func everyCircuitOpen() async throws {
        let provider = ScriptedProvider(otherwise: Self.answer("any"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b")), provider: provider, breaker: CircuitBreakerPolicy(consecutiveFailures: 1))
        for monitor in catalog.monitors { monitor.recordProbe(success: false, error: "down", latency: .zero) }
        let error = await Self.failure { try await Self.walk(catalog) }
        #expect(provider.triedModels.isEmpty)
        #expect(error?.status == 502)
        #expect(error?.message.contains("circuit is open") == true)
    }

    @Test("a target whose circuit opens during the walk is not tried again")
    func circuitOpensDuringWalk() async throws {
        let provider = ScriptedProvider(otherwise: .error(503))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: RetryPolicy(maxAttempts: 4, initialBackoff: .zero)),
            provider: provider, breaker: CircuitBreakerPolicy(consecutiveFailures: 1))
        _ = await Self.failure { try await Self.walk(catalog) }
        #expect(provider.triedModels == ["a", "b"], "without the breakers the walk would go round again: a, b, a, b")
    }

    // MARK: - Time: Retry-After, deadline, hedging

    @Test("a Retry-After is waited out on the loop's clock before the target is tried again")
    func retryAfterWaited() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider()
        provider.script("a", .error(429, retryAfter: 2), Self.answer("a"))
        let retry = RetryPolicy(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(5))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a"), retry: retry), provider: provider)
        let walk = Task { try await Self.walk(catalog, clock: clock) }
        await clock.waitForSleepers()
        #expect(clock.sleeperDeadlines == [ManualClock.Instant(offset: .seconds(2))], "the Retry-After, longer than any backoff of 100 ms")
        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 1, "still waiting")
        #expect(provider.triedModels == ["a"])
        clock.advance(by: .milliseconds(1))
        let answered = try await walk.value
        #expect(provider.triedModels == ["a", "a"])
        #expect(answered.attempts == 2)
    }

    @Test("a Retry-After longer than the longest backoff is handed to the client rather than waited for")
    func retryAfterTooLong() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider()
        provider.script("a", .error(429, retryAfter: 30), Self.answer("a"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a"), retry: RetryPolicy(maximumBackoff: .seconds(5))), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog, clock: clock) }
        #expect(error?.status == 429)
        #expect(error?.retryAfterSeconds == 30)
        #expect(provider.triedModels == ["a"])
        #expect(clock.sleeperCount == 0)
    }

    @Test("a retry whose wait would end after the deadline is not made")
    func waitPastDeadline() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider()
        provider.script("a", .error(429, retryAfter: 3), Self.answer("a"))
        let retry = RetryPolicy(deadline: .seconds(2), maximumBackoff: .seconds(5))
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a"), retry: retry), provider: provider)
        let error = await Self.failure { try await Self.walk(catalog, clock: clock) }
        #expect(error?.status == 429)
        #expect(provider.triedModels == ["a"])
        #expect(clock.sleeperCount == 0)
    }

    @Test("the deadline ends the walk: no attempt starts after it, and the client gets 504")
    func deadline() async throws {
        let clock = ManualClock()
        // Each upstream takes 10 s (of the manual clock) to fail; a third call would be refused as unscripted.
        let provider = ScriptedProvider(clock: clock)
        provider.script("a", .delayed(.seconds(10), .error(503)))
        provider.script("b", .delayed(.seconds(10), .error(503)))
        let retry = RetryPolicy(deadline: .seconds(15), initialBackoff: .zero)
        let catalog = Self.catalog(ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: retry), provider: provider)
        let walk = Task { try await Self.walk(catalog, clock: clock) }
        await clock.waitForSleepers()
        #expect(provider.triedModels == ["a"])
        clock.advance(by: .seconds(10))
        await clock.waitForSleepers()
        #expect(provider.triedModels == ["a", "b"], "10 s in, within the deadline: the next target is tried")
        clock.advance(by: .seconds(10))
        let error = await Self.failure { try await walk.value }
        #expect(error?.status == 504)
        #expect(error?.code == "deadline_exceeded")
        #expect(provider.triedModels == ["a", "b"], "20 s in, past the deadline of 15 s: a is not tried again")
    }

    @Test("hedging starts the second target when the first has not answered in time, and cancels the slower")
    func hedging() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider(clock: clock)
        provider.script("a", .delayed(.seconds(10), Self.answer("a")))
        provider.script("b", Self.answer("b"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: Self.immediate, hedgeAfter: .seconds(1)), provider: provider)
        let walk = Task { try await Self.walk(catalog, clock: clock) }
        await clock.waitForSleepers(2)
        #expect(provider.triedModels == ["a"], "before the hedge delay only the first target is called")
        #expect(clock.sleeperDeadlines == [ManualClock.Instant(offset: .seconds(1)), ManualClock.Instant(offset: .seconds(10))])
        clock.advance(by: .seconds(1))
        let answered = try await walk.value
        #expect(answered.lease.monitor.target.model == "b")
        #expect(answered.attempts == 2)
        #expect(provider.triedModels == ["a", "b"])
        #expect(clock.sleeperCount == 0, "the slower attempt was cancelled")
    }

    @Test("with hedging on, a first target that fails before the hedge delay is followed at once by the second")
    func hedgingAfterEarlyFailure() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider(clock: clock)
        provider.script("a", .error(503))
        provider.script("b", Self.answer("b"))
        let catalog = Self.catalog(
            ModelRoute(name: "chat", targets: Self.targets("a", "b"), retry: Self.immediate, hedgeAfter: .seconds(5)), provider: provider)
        // The clock never moves: the second target must not wait for the hedge delay.
        let answered = try await Self.walk(catalog, clock: clock)
        #expect(answered.lease.monitor.target.model == "b")
        #expect(answered.attempts == 2)
        #expect(provider.triedModels == ["a", "b"])
        #expect(clock.sleeperCount == 0, "the hedge timer was cancelled")
    }
}
