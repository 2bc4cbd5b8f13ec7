import Logging
import SwitchyardCore
import Tracing

/// Walks a request through its model's targets, then its fallbacks, until one answers.
///
/// - A failure another target might not have (timeout, unreachable, 429, 5xx, circuit open, provider capacity)
///   moves on; retrying a target already tried waits an exponential backoff with full jitter, and at least the
///   Retry-After it gave.
/// - A context-window or content-policy refusal moves to the model's matching fallbacks, when it has any.
/// - Any other error is the client's, and ends the walk at once.
/// - The whole walk ends at the model's deadline.
///
/// Backoff, hedging and the deadline run on `clock`: the continuous clock, or a test's manual one.
struct AttemptLoop<Value: Sendable> {
    typealias Operation = @Sendable (Candidate, UpstreamContext) async throws -> Value

    let catalog: ModelCatalog
    let model: String
    /// Who asked: fallback models it may not use are skipped.
    let caller: Caller?
    /// The GenAI operation (`chat`, `embeddings`), which names each attempt's span.
    let operationName: String
    let estimatedTokens: Int
    let streaming: Bool
    let operation: Operation
    private let clock: AttemptClock

    private var failures: [(target: Target, error: GatewayError)] = []
    private var attempts = 0
    private var random = SystemRandomNumberGenerator()
    /// The target least-busy reserved for this request's model, until it is admitted or passed over.
    private var reservation: TargetMonitor?

    init(
        catalog: ModelCatalog, model: String, caller: Caller? = nil, operationName: String, estimatedTokens: Int, streaming: Bool,
        clock: any Clock<Duration> = ContinuousClock(), operation: @escaping Operation
    ) {
        self.catalog = catalog
        self.model = model
        self.caller = caller
        self.operationName = operationName
        self.estimatedTokens = estimatedTokens
        self.streaming = streaming
        self.operation = operation
        self.clock = AttemptClock(clock)
    }

    /// Fallback models to move to at once, and why.
    struct Redirect {
        var models: [String]
        /// `context_window` or `content_policy`.
        var reason: String
    }

    private enum ModelOutcome {
        case answered(Answered<Value>)
        case exhausted
        case redirect(Redirect)
    }

    mutating func run(context: UpstreamContext) async throws -> Answered<Value> {
        guard let first = catalog.entry(model) else { throw GatewayError.unknownModel(model) }
        defer {
            let attempts = self.attempts
            context.journal?.update { $0.attempts = attempts }
        }
        var context = context
        let deadline = clock.now + first.route.retry.deadline
        context.deadline = deadline
        // Each model to try, with why it is tried (nil for the model asked for).
        var pending: [(name: String, reason: String?)] = [(model, nil)]
        var visited: Set<String> = []
        while !pending.isEmpty {
            let (name, reason) = pending.removeFirst()
            guard visited.insert(name).inserted, let entry = catalog.entry(name) else { continue }
            // A fallback is another model: the caller's allow-list applies to it as to the model asked for.
            if reason != nil, let caller, !caller.allows(model: name) { continue }
            if let reason { catalog.metrics?.fellBack(from: model, to: name, reason: reason) }
            switch try await runModel(entry, deadline: deadline, context: context) {
            case .answered(let answered): return answered
            case .exhausted: pending.append(contentsOf: entry.route.fallbacks.map { ($0, "error") })
            case .redirect(let redirect): pending.insert(contentsOf: redirect.models.map { ($0, redirect.reason) }, at: 0)
            }
        }
        if clock.now >= deadline {
            let details = failures.map { "\($0.target.label): \($0.error.message)" }.joined(separator: "; ")
            throw GatewayError(
                status: 504, kind: .timeout, code: "deadline_exceeded",
                message: "No target answered '\(model)' within its deadline of \(first.route.retry.deadline.secondsText) s. \(details)")
        }
        throw Self.finalError(model: model, failures: failures)
    }

    private mutating func runModel(_ entry: ModelCatalog.Entry, deadline: ContinuousClock.Instant, context: UpstreamContext) async throws -> ModelOutcome {
        let (ordered, reserved) = entry.orderedTargets(streaming: streaming, using: &random)
        reservation = reserved
        defer { releaseReservation() }
        guard !ordered.isEmpty else { return .exhausted }
        let maximum = entry.route.retry.maxAttempts ?? ordered.count + 1
        var made = 0
        var position = 0
        var retryAfter: [ObjectIdentifier: Duration] = [:]
        var refusedInARow = 0

        if let hedgeAfter = entry.route.hedgeAfter, ordered.count >= 2, maximum >= 2 {
            let (outcome, started) = try await runHedged(
                Candidate(monitor: ordered[0], provider: entry.providers[ordered[0].target.provider]!),
                Candidate(monitor: ordered[1], provider: entry.providers[ordered[1].target.provider]!),
                after: hedgeAfter, entry: entry, context: context)
            if let outcome { return outcome }
            made += started
            // When the first failed before the hedge began, the second has not been tried yet.
            position = started
        }

        while made < maximum && refusedInARow < ordered.count {
            let monitor = ordered[position % ordered.count]
            let round = position / ordered.count
            position += 1
            if round > 0 {
                let askedWait = retryAfter[ObjectIdentifier(monitor)] ?? .zero
                // A target that asks for a longer pause than the longest backoff is not worth waiting for here;
                // the client gets its Retry-After instead.
                if askedWait > entry.route.retry.maximumBackoff {
                    refusedInARow += 1
                    continue
                }
                let wait = max(backoff(round: round, policy: entry.route.retry), askedWait)
                guard clock.now + wait < deadline else { break }
                try await clock.sleep(for: wait)
            }
            guard clock.now < deadline else { break }
            let lease: TargetLease
            switch admit(monitor) {
            case .failure(let refusal):
                refusedInARow += 1
                if round == 0 { failures.append((monitor.target, Self.error(for: refusal, target: monitor.target))) }
                continue
            case .success(let admitted):
                lease = admitted
                refusedInARow = 0
            }
            if made > 0 { catalog.metrics?.retried(model: entry.route.name, target: monitor.target) }
            made += 1
            attempts += 1
            let candidate = Candidate(monitor: monitor, provider: entry.providers[monitor.target.provider]!)
            do {
                let value = try await operation(candidate, traced(lease, context: context))
                return .answered(Answered(value: value, lease: lease, attempts: attempts))
            } catch {
                if let redirect = try absorb(error, lease: lease, route: entry.route, context: context) { return .redirect(redirect) }
                if let wait = (error as? GatewayError)?.retryAfterSeconds { retryAfter[ObjectIdentifier(monitor)] = .seconds(wait) }
            }
        }
        return .exhausted
    }

    /// Claims `monitor` for one attempt; a reservation of it ends here, as the lease (if any) now counts instead.
    private mutating func admit(_ monitor: TargetMonitor) -> Result<TargetLease, TargetMonitor.Refusal> {
        let admission = monitor.admit(estimatedTokens: estimatedTokens, at: clock.now)
        if monitor === reservation { releaseReservation() }
        return admission
    }

    private mutating func releaseReservation() {
        reservation?.releaseReservation()
        reservation = nil
    }

    private enum HedgeEvent: Sendable {
        case finished(Int, TargetLease, Result<Value, any Error>)
        case hedgeTime
    }

    /// Starts `first`; if it has not answered after `delay`, starts `second` too and takes whichever answers first,
    /// cancelling the other. Returns nil when both failed (or the first failed before the hedge started), with the
    /// number of attempts started.
    private mutating func runHedged(
        _ first: Candidate, _ second: Candidate, after delay: Duration, entry: ModelCatalog.Entry, context: UpstreamContext
    ) async throws -> (ModelOutcome?, Int) {
        guard case .success(let firstLease) = admit(first.monitor) else { return (nil, 0) }
        let operation = self.operation
        let estimatedTokens = self.estimatedTokens
        let clock = self.clock
        let firstContext = traced(firstLease, context: context)
        let loop = self
        attempts += 1
        let (winner, losers, started): ((Int, TargetLease, Value)?, [(TargetLease, any Error)], Int) = await withTaskGroup(of: HedgeEvent.self) { group in
            group.addTask { .finished(0, firstLease, await Self.capture { try await operation(first, firstContext) }) }
            group.addTask {
                try? await clock.sleep(for: delay)
                return .hedgeTime
            }
            var running = 1
            var started = 1
            var losers: [(TargetLease, any Error)] = []
            while let event = await group.next() {
                switch event {
                case .hedgeTime:
                    guard running > 0, started == 1,
                        case .success(let secondLease) = second.monitor.admit(estimatedTokens: estimatedTokens, at: clock.now)
                    else { continue }
                    started += 1
                    running += 1
                    let secondContext = loop.traced(secondLease, context: context)
                    group.addTask { .finished(1, secondLease, await Self.capture { try await operation(second, secondContext) }) }
                case .finished(let index, let lease, .success(let value)):
                    group.cancelAll()
                    return ((index, lease, value), losers, started)
                case .finished(_, let lease, .failure(let error)):
                    running -= 1
                    losers.append((lease, error))
                    if running == 0 {
                        group.cancelAll()
                        return (nil, losers, started)
                    }
                }
            }
            return (nil, losers, started)
        }
        attempts += started - 1
        if let (_, lease, value) = winner {
            return (.answered(Answered(value: value, lease: lease, attempts: attempts)), started)
        }
        for (lease, error) in losers {
            if let redirect = try absorb(error, lease: lease, route: entry.route, context: context) { return (.redirect(redirect), started) }
        }
        return (nil, started)
    }

    /// Starts the attempt's client span when tracing is on, hangs it on the lease (which ends it), and returns the
    /// context the upstream call carries, so the provider propagates the attempt's trace context.
    private func traced(_ lease: TargetLease, context: UpstreamContext) -> UpstreamContext {
        guard let tracer = context.tracer else { return context }
        let target = lease.monitor.target
        let span = tracer.startSpan("\(operationName) \(target.model)", context: context.traceContext, ofKind: .client)
        span.attributes["gen_ai.operation.name"] = operationName
        if let kind = lease.monitor.providerKind {
            span.attributes["gen_ai.provider.name"] = kind.semanticConventionName
            span.attributes["gen_ai.system"] = kind.semanticConventionName
        }
        span.attributes["gen_ai.request.model"] = target.model
        span.attributes["switchyard.target"] = target.label
        lease.span = span
        var context = context
        context.traceContext = span.context
        return context
    }

    /// Settles a failed attempt: records a failure another target might not have and returns nil (go on), returns
    /// the fallbacks to move to for a context-window or content-policy refusal, and rethrows anything else.
    private mutating func absorb(_ error: any Error, lease: TargetLease, route: ModelRoute, context: UpstreamContext) throws -> Redirect? {
        guard let error = error as? GatewayError else {
            lease.finish(.abandoned, at: clock.now)
            throw error
        }
        if error.isRetryable {
            lease.finish(.failure, error: error.message, at: clock.now)
            failures.append((lease.monitor.target, error))
            let metadata: Logger.Metadata = [
                "model": "\(route.name)", "target": "\(lease.monitor.target.label)", "provider": "\(lease.monitor.target.provider)",
                "status": "\(error.status)", "error": "\(error.message)",
            ]
            if error.isUpstreamCredentialsRejected {
                context.logger.error("provider refused the gateway's credentials", metadata: metadata)
            } else {
                context.logger.warning("upstream attempt failed", metadata: metadata)
            }
            return nil
        }
        // The upstream answered; the request was at fault, not the target.
        lease.finish(.success, at: clock.now)
        if error.isContextWindowExceeded, !route.contextWindowFallbacks.isEmpty {
            return Redirect(models: route.contextWindowFallbacks, reason: "context_window")
        }
        if error.isContentPolicyViolation, !route.contentPolicyFallbacks.isEmpty {
            return Redirect(models: route.contentPolicyFallbacks, reason: "content_policy")
        }
        throw error
    }

    private static func capture(_ body: () async throws -> Value) async -> Result<Value, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// Full jitter: a random wait up to `initial × 2^(round-1)`, capped.
    private mutating func backoff(round: Int, policy: RetryPolicy) -> Duration {
        let ceiling = min(policy.maximumBackoff.wholeNanoseconds, policy.initialBackoff.wholeNanoseconds << min(round - 1, 30))
        guard ceiling > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...ceiling, using: &random))
    }

    private static func error(for refusal: TargetMonitor.Refusal, target: Target) -> GatewayError {
        switch refusal {
        case .circuitOpen:
            GatewayError(status: 503, kind: .api, code: "circuit_open", message: "Its circuit is open after recent failures.")
        case .atCapacity:
            GatewayError(status: 429, kind: .rateLimit, code: "target_at_capacity", message: "It is at its configured rpm/tpm capacity.")
        }
    }

    /// What the client gets when every attempt failed: 429 when all were rate limited (with the smallest
    /// Retry-After seen), 504 when all timed out, 502 otherwise.
    static func finalError(model: String, failures: [(target: Target, error: GatewayError)]) -> GatewayError {
        guard !failures.isEmpty else {
            return GatewayError(status: 502, kind: .api, code: "no_target", message: "The model '\(model)' has no usable target.")
        }
        let details = failures.map { "\($0.target.label): \($0.error.message)" }.joined(separator: "; ")
        if failures.allSatisfy({ $0.error.status == 429 }) {
            var error = GatewayError(
                status: 429, kind: .rateLimit, code: "rate_limit_exceeded", message: "Every target of '\(model)' is rate limited. \(details)")
            error.retryAfterSeconds = failures.compactMap(\.error.retryAfterSeconds).min()
            return error
        }
        if failures.allSatisfy({ $0.error.status == 504 }) {
            return GatewayError(status: 504, kind: .timeout, code: "upstream_timeout", message: "Every target of '\(model)' timed out. \(details)")
        }
        return GatewayError(status: 502, kind: .api, code: "upstream_error", message: "Every target of '\(model)' failed. \(details)")
    }
}
