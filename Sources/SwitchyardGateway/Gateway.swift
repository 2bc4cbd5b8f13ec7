import Logging
import NIOCore
package import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardTokenizer
import SwitchyardWire
import Tracing

/// The gateway's use cases, one method per endpoint, each the same pipeline: check the caller's limits and budget,
/// route the public model over its targets and fallbacks, hand back the answer under the public model name, and
/// meter what it cost.
package struct Gateway: Sendable {
    package let catalog: ModelCatalog
    package let limits: LimitLedger
    /// Prices, spend and usage records; nil leaves requests unmetered.
    package let meter: UsageMeter?
    /// Answers kept for models whose cache is on; nil caches nothing.
    package let cache: ResponseCache?
    /// The summaries and turn embeddings context management made; nil makes them anew each time.
    package let contextRecords: ContextRecords?
    /// Long-term memory of the users of models with `memory:`; nil keeps none.
    package let memory: LongTermMemory?
    /// The configured guardrails; nil runs none.
    package var guardrails: GuardrailBook?

    package init(
        catalog: ModelCatalog, limits: LimitLedger = LimitLedger(), meter: UsageMeter? = nil, cache: ResponseCache? = nil,
        contextRecords: ContextRecords? = nil, memory: LongTermMemory? = nil
    ) {
        self.catalog = catalog
        self.limits = limits
        self.meter = meter
        self.cache = cache
        self.contextRecords = contextRecords
        self.memory = memory
    }

    /// An answer, the target that produced it (none for an answer from the cache), how many upstream calls it took,
    /// the caller's limit headroom, and what the cache did.
    package struct Routed<Value: Sendable>: Sendable {
        package var value: Value
        package var target: Target?
        package var attempts: Int
        package var headroom: LimitLedger.Headroom?
        package var cache: CacheResult? = nil
        /// What context management did; nil when the model has no `context:` section.
        package var context: ContextFit? = nil
        /// How many long-term memories went into the request; nil when the model keeps none or no user was named.
        package var memoriesRecalled: Int? = nil
        /// What the model's guardrails did; nil when none acted.
        package var guardrails: GuardrailReport? = nil
    }

    /// A request made ready for routing, and what was done to it.
    struct Prepared {
        var request: ChatRequest
        var fit: ContextFit?
        var recall: MemoryRecall?
        var guardrails: GuardrailReport?
        /// What `mask` guardrails hid from the model, by placeholder, to put back in the answer.
        var masked: [String: String]?
        /// The placeholders the input guardrails handed out, for the answer's to go on from.
        var numbering: PlaceholderNumbering
    }

    /// The request as it will be routed: screened by the model's input guardrails first (before any of its text
    /// goes anywhere, an embedding model included), the user's memories recalled into it, then fitted into the
    /// model's window. Memories that would push the newest turn out of the window are left out rather than refuse
    /// the request.
    private func prepare(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Prepared {
        let screened = try await screenInput(request, caller: caller, context: context)
        var (recalled, recall) = try await recallMemories(screened.request, caller: caller, context: context)
        do {
            let (fitted, fit) = try await fitContext(recalled, caller: caller, context: context)
            return Prepared(
                request: fitted, fit: fit, recall: recall, guardrails: screened.report, masked: screened.masked, numbering: screened.numbering)
        } catch let error as GatewayError where error.code == "context_length_exceeded" && (recall?.recalled ?? 0) > 0 {
            recall?.recalled = 0
            context.journal?.update { $0.memory = "recalled=0" }
            let (fitted, fit) = try await fitContext(screened.request, caller: caller, context: context)
            return Prepared(
                request: fitted, fit: fit, recall: recall, guardrails: screened.report, masked: screened.masked, numbering: screened.numbering)
        }
    }

    /// A non-streamed chat completion, from the cache when the model's cache holds it.
    package func complete(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        let prepared = try await prepare(request, caller: caller, context: context)
        let (request, fit, recall) = (prepared.request, prepared.fit, prepared.recall)
        var routed = try await completeFitted(request, caller: caller, context: context)
        routed.context = fit
        // The answer as the model's output guardrails leave it (a cached answer is screened again each time).
        let (answered, output) = try await screenOutput(
            routed.value, model: request.model, caller: caller, numbering: prepared.numbering, context: context)
        routed.value = answered
        routed.guardrails = prepared.guardrails.map { $0.merged(with: output) } ?? output
        // Learned from (below) as screened, with placeholders; the client gets the masked originals back.
        if let masked = prepared.masked { routed.value = Self.restored(routed.value, originals: masked) }
        if let recall {
            routed.memoriesRecalled = recall.recalled
            // A cached answer is free and was learned from when it was first given.
            if routed.cache != .hit, routed.cache != .semanticHit, let answer = try? JSONValue(decoding: answered.body) {
                remember(recall, answerText: Self.answerText(of: answer), caller: caller, context: context)
            }
        }
        return routed
    }

    func completeFitted(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        let plan = cachePlan(request, caller: caller, context: context)
        var fingerprint: SemanticFingerprint?
        if let plan {
            // Before the cache is read (or a prompt embedded): a key that may not use the model learns nothing from it.
            try caller?.authorize(model: plan.model)
            let lookup = await lookUp(plan, request: request, caller: caller, context: context)
            if let entry = lookup.entry, let result = lookup.result {
                served(as: result, model: plan.model, operation: "chat", caller: caller, stream: false, context: context)
                return cachedReply(entry, result: result, request: request, context: context)
            }
            fingerprint = lookup.fingerprint
        }
        var routed = try await reply(model: request.model, operation: "chat", body: request.body, caller: caller, context: context) { candidate, context in
            try await candidate.provider.chat(request, model: candidate.target.model, context: context)
        }
        routed.cache = plan.map { noteMiss($0, context: context) } ?? noteUncacheable(request.model, context: context)
        if let plan {
            if let hub = Self.hubAnswer(routed.value) { keep(hub, plan: plan, fingerprint: fingerprint) }
        }
        return routed
    }

    /// An embeddings request; with the model's cache on, each input string is looked up on its own, and only the
    /// strings not cached reach the upstream.
    package func embed(_ request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        let (request, report) = try await screenEmbeddings(request, caller: caller, context: context)
        var routed: Routed<UpstreamReply>
        if let plan = embeddingsPlan(request, caller: caller, context: context) {
            routed = try await embedThroughCache(plan, request: request, caller: caller, context: context)
        } else {
            routed = try await embedUpstream(request, caller: caller, context: context)
        }
        routed.guardrails = report
        return routed
    }

    /// An embeddings request sent on as it is.
    func embedUpstream(_ request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        try await reply(model: request.model, operation: "embeddings", body: request.body, caller: caller, context: context) { candidate, context in
            guard candidate.provider.kind.capabilities.embeddings else {
                throw GatewayError.unsupported("Provider '\(candidate.target.provider)' (type \(candidate.provider.kind.rawValue)) does not offer embeddings.")
            }
            return try await candidate.provider.embed(request, model: candidate.target.model, context: context)
        }
    }

    /// A streamed chat completion. Targets are retried only until one accepts the request; once events flow, a
    /// failure ends the stream. Usage is always asked of the upstream, for metering; the client sees the usage chunk
    /// only when it asked for it.
    package func stream(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<ChatEventStream> {
        let prepared = try await prepare(request, caller: caller, context: context)
        let (request, fit, recall) = (prepared.request, prepared.fit, prepared.recall)
        var routed = try await streamFitted(request, caller: caller, context: context)
        routed.context = fit
        routed.guardrails = prepared.guardrails
        // The answer as the output guardrails leave it, as it streams (a cached answer is screened again each time).
        routed.value = try screenStream(routed.value, model: request.model, caller: caller, numbering: prepared.numbering, context: context)
        if let recall { routed.memoriesRecalled = recall.recalled }
        if let recall, routed.cache != .hit, routed.cache != .semanticHit {
            // The turn is queued once the stream has ended whole.
            let events = routed.value
            let gateway = self
            routed.value = ChatEventStream {
                ObservingEventSource(
                    base: events.makeAsyncIterator(),
                    observer: TurnTextObserver { text in gateway.remember(recall, answerText: text, caller: caller, context: context) })
            }
        }
        if let masked = prepared.masked {
            // Outermost: memory (above) learns from the answer as the guardrails left it.
            routed.value = Self.restored(routed.value, originals: masked)
        }
        return routed
    }

    private func streamFitted(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<ChatEventStream> {
        let plan = cachePlan(request, caller: caller, context: context)
        var fingerprint: SemanticFingerprint?
        if let plan {
            try caller?.authorize(model: plan.model)
            let lookup = await lookUp(plan, request: request, caller: caller, context: context)
            if let entry = lookup.entry, let result = lookup.result, let replay = cachedStream(entry, result: result, request: request) {
                served(as: result, model: plan.model, operation: "chat", caller: caller, stream: true, context: context)
                return replay
            }
            fingerprint = lookup.fingerprint
        }
        var asked = request
        let hiddenUsage = Self.askForUsage(&asked)
        let request = asked
        let admitted = try await route(model: request.model, operation: "chat", streaming: true, body: request.body, caller: caller, context: context) {
            candidate, context in
            try await candidate.provider.streamChat(request, model: candidate.target.model, context: context)
        }
        let upstream = admitted.answered.value
        let lease = admitted.answered.lease
        // Made here, not when the stream is first read: a stream dropped unread still settles (as abandoned).
        let settlement = StreamSettlement(
            lease: lease, permit: admitted.permit,
            settlement: Settlement(
                meter: meter, context: context, caller: caller, model: request.model, target: lease.monitor.target, started: admitted.started),
            estimatedPromptTokens: Self.estimatedTokens(request.body))
        var captured = upstream
        if let plan {
            let cache = self
            let semantic = fingerprint
            captured = ChatEventStream {
                ObservingEventSource(
                    base: upstream.makeAsyncIterator(), observer: AnswerObserver { cache.keep($0.encoded, plan: plan, fingerprint: semantic) })
            }
        }
        let relayed = captured
        let events = ChatEventStream {
            MeteredEventSource(base: relayed.makeAsyncIterator(), settlement: settlement, publicName: request.model, hidesUsage: hiddenUsage)
        }
        var routed = admitted.routed(events)
        routed.cache = plan.map { noteMiss($0, context: context) } ?? noteUncacheable(request.model, context: context)
        return routed
    }

    /// The input tokens of `request` for `request.model`, as its first target counts them. Free, so no budget is
    /// checked, but the call is admitted against the caller's request limits like any model call.
    package func countTokens(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Int {
        begin(request.model, operation: "count_tokens", stream: false, context: context)
        let permit = try admit(caller, model: request.model, estimatedTokens: 0, checksBudget: false)
        defer { permit?.release(actualTokens: 0) }
        // Counted as it would be sent: an upstream that counts never sees what the guardrails keep from the model.
        let request = try await screenInput(request, caller: caller, moderating: false, context: context).request
        guard let entry = catalog.entry(request.model) else { throw GatewayError.unknownModel(request.model) }
        guard let monitor = entry.monitors.first, let provider = entry.providers[monitor.target.provider] else {
            throw GatewayError(status: 502, kind: .api, code: "no_target", message: "The model '\(request.model)' has no usable target.")
        }
        guard provider.kind.capabilities.tokenCounting == .estimated else {
            return try await provider.countTokens(request, model: monitor.target.model, context: context)
        }
        // Counted here: exactly for OpenAI models, as a labelled estimate for other families.
        guard case .object(let fields)? = try? JSONValue(decoding: try request.hubBody()) else {
            throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        let counter = TokenCounter(model: monitor.target.model)
        return (fields["messages"]?.array ?? []).reduce(counter.countOutsideMessages(fields)) { $0 + counter.count(message: $1) }
    }

    /// A complete answer: routed, then metered from the usage it carries, under the public model name.
    func reply(
        model: String, operation operationName: String, body: ByteBuffer, caller: Caller?, context: UpstreamContext,
        _ operation: @escaping @Sendable (Candidate, UpstreamContext) async throws -> UpstreamReply
    ) async throws -> Routed<UpstreamReply> {
        let admitted = try await route(
            model: model, operation: operationName, streaming: false, body: body, caller: caller, context: context, operation)
        let answer = admitted.answered.value
        let lease = admitted.answered.lease
        // One scan of the answer serves the usage, the model rewrite and (when tracing) the span's attributes.
        let document = try? TopLevelJSON(scanning: answer.body)
        let tokens = document.flatMap { UsageReader.counts(in: $0, dialect: answer.dialect) }
        if let span = lease.span, span.isRecording, let document {
            AttemptAnnotation(
                responseModel: document.member("model").flatMap { document.string($0) },
                finishReasons: UsageReader.finishReasons(in: document, dialect: answer.dialect), tokens: tokens
            ).apply(to: span, journal: context.journal)
        }
        lease.finish(.success, actualTokens: tokens?.total)
        admitted.permit?.release(actualTokens: tokens?.total)
        meter?.settle(
            context: context, caller: caller, model: model, target: lease.monitor.target, tokens: tokens ?? TokenCounts(), status: 200,
            started: admitted.started)
        return admitted.routed(UpstreamReply(body: document?.replacingModel(with: model) ?? answer.body, dialect: answer.dialect))
    }

    /// The skeleton every model call shares: note the request, admit the caller, walk the attempt loop, note the
    /// target that answered. A request that gets no answer is settled here; an answer is the caller's to settle.
    private func route<Value: Sendable>(
        model: String, operation operationName: String, streaming: Bool, body: ByteBuffer, caller: Caller?, context: UpstreamContext,
        _ operation: @escaping @Sendable (Candidate, UpstreamContext) async throws -> Value
    ) async throws -> Admitted<Value> {
        let started = ContinuousClock.now
        begin(model, operation: operationName, stream: streaming, context: context)
        let estimatedTokens = Self.estimatedTokens(body, for: caller)
        do {
            let permit = try admit(caller, model: model, estimatedTokens: estimatedTokens, checksBudget: true)
            var loop = AttemptLoop(
                catalog: catalog, model: model, caller: caller, operationName: operationName, estimatedTokens: estimatedTokens,
                streaming: streaming, operation: operation)
            let answered = try await loop.run(context: context)
            routed(answered.lease, context: context)
            return Admitted(answered: answered, permit: permit, started: started)
        } catch {
            settleFailure(error, request: model, caller: caller, context: context, started: started)
            throw error
        }
    }

    /// Checks that the caller may use `model`, that the model is served, then (for a billable call) the caller's
    /// budget and its rate limits; the permit holds its place until the request ends. Every use case passes through here, so no route can forget
    /// the model allow-list.
    private func admit(_ caller: Caller?, model: String, estimatedTokens: Int, checksBudget: Bool) throws(GatewayError) -> LimitPermit? {
        guard case .virtualKey(let grant)? = caller else { return nil }
        guard grant.allows(model: model) else { throw .forbiddenModel(model) }
        // A model that is not served costs the caller nothing: no budget check, no request counted.
        guard catalog.contains(model) else { throw .unknownModel(model) }
        if checksBudget { try meter?.spend.checkBudget(grant) }
        return try limits.admit(grant, estimatedTokens: estimatedTokens)
    }

    /// Notes in the request's journal what the gateway was asked.
    func begin(_ model: String, operation: String, stream: Bool, context: UpstreamContext) {
        let configured = catalog.contains(model)
        context.journal?.update { summary in
            summary.model = model
            summary.modelIsConfigured = configured
            summary.operation = operation
            summary.stream = stream
        }
    }

    /// Notes in the request's journal the target that answered.
    private func routed(_ lease: TargetLease, context: UpstreamContext) {
        context.journal?.update { summary in
            summary.target = lease.monitor.target
            summary.providerKind = lease.monitor.providerKind
        }
    }

    /// Records a request that got no answer (refused, or every target failed).
    private func settleFailure(_ error: any Error, request model: String, caller: Caller?, context: UpstreamContext, started: ContinuousClock.Instant) {
        let status = (error as? GatewayError)?.status ?? 499
        meter?.settle(context: context, caller: caller, model: model, target: nil, tokens: TokenCounts(), status: status, started: started)
    }

    /// Adds `stream_options.include_usage` to a hub request that has no `stream_options`; returns whether it did,
    /// that is whether the usage chunk is the gateway's to keep.
    static func askForUsage(_ request: inout ChatRequest) -> Bool {
        guard request.hubError == nil, let document = try? TopLevelJSON(scanning: request.body), document.rootKind == .object,
            document.member("stream_options") == nil
        else { return false }
        request.body = document.insertingMember("stream_options", rawValue: #"{"include_usage":true}"#)
        return true
    }

    /// A cheap guess at a request's prompt tokens, corrected once the upstream tells.
    static func estimatedTokens(_ body: ByteBuffer) -> Int { TokenEstimate.tokens(in: body) }

    /// The prompt tokens a request is admitted with: for a caller under a tokens-per-minute limit, the body counted
    /// with the tokenizer (cl100k_base, over the JSON as it is: exact for its text, a few tokens over for the JSON
    /// around it, about 5 µs a KB); else the cheap guess. A body over ``countedBytes`` is counted on its first
    /// ``countedBytes`` and scaled. Corrected once the upstream tells.
    static func estimatedTokens(_ body: ByteBuffer, for caller: Caller?) -> Int {
        guard case .virtualKey(let grant)? = caller, grant.limitScopes.contains(where: { $0.limits.tpm != nil }), let tokenizer = Tokenizer.cl100k
        else { return estimatedTokens(body) }
        let counted = min(body.readableBytes, countedBytes)
        let tokens = tokenizer.count(String(buffer: body.getSlice(at: body.readerIndex, length: counted) ?? body))
        guard counted < body.readableBytes, counted > 0 else { return tokens }
        return Int((Double(tokens) * Double(body.readableBytes) / Double(counted)).rounded(.up))
    }

    /// The most bytes of a body the tokenizer reads for admission (about a millisecond).
    static let countedBytes = 256 << 10
}
