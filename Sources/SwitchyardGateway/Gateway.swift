import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// The gateway's use cases, one method per endpoint: route the public model over its targets and fallbacks, and
/// hand back the answer under the public model name.
public struct Gateway: Sendable {
    public let catalog: ModelCatalog
    public let limits: LimitLedger

    public init(catalog: ModelCatalog, limits: LimitLedger = LimitLedger()) {
        self.catalog = catalog
        self.limits = limits
    }

    /// An answer, the target that produced it, how many upstream calls it took, and the caller's limit headroom.
    public struct Routed<Value: Sendable>: Sendable {
        public var value: Value
        public var target: Target
        public var attempts: Int
        public var headroom: LimitLedger.Headroom?
    }

    /// A non-streamed chat completion.
    public func complete(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        try await reply(model: request.model, body: request.body, caller: caller, context: context) { candidate, context in
            try await candidate.provider.chat(request, model: candidate.target.model, context: context)
        }
    }

    /// An embeddings request.
    public func embed(_ request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        try await reply(model: request.model, body: request.body, caller: caller, context: context) { candidate, context in
            try await candidate.provider.embed(request, model: candidate.target.model, context: context)
        }
    }

    /// Checks the caller's rate limits; the permit holds its place until the request ends.
    private func admit(_ caller: Caller?, body: ByteBuffer) throws(GatewayError) -> LimitPermit? {
        guard case .virtualKey(let grant)? = caller else { return nil }
        return try limits.admit(grant, estimatedTokens: Self.estimatedTokens(body))
    }

    /// A streamed chat completion. Targets are retried only until one accepts the request; once events flow, a
    /// failure ends the stream.
    public func stream(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> Routed<ChatEventStream> {
        let permit = try admit(caller, body: request.body)
        var loop = AttemptLoop(catalog: catalog, model: request.model, estimatedTokens: Self.estimatedTokens(request.body), streaming: true) {
            candidate, context in
            try await candidate.provider.streamChat(request, model: candidate.target.model, context: context)
        }
        let answered = try await loop.run(context: context)
        let upstream = answered.value
        let lease = answered.lease
        let publicName = request.model
        let events = ChatEventStream {
            MeteredEventSource(base: upstream.makeAsyncIterator(), lease: lease, permit: permit, publicName: publicName)
        }
        return Routed(value: events, target: lease.monitor.target, attempts: answered.attempts, headroom: permit?.headroom)
    }

    private func reply(
        model: String, body: ByteBuffer, caller: Caller?, context: UpstreamContext,
        _ operation: @escaping @Sendable (Candidate, UpstreamContext) async throws -> UpstreamReply
    ) async throws -> Routed<UpstreamReply> {
        let permit = try admit(caller, body: body)
        var loop = AttemptLoop(catalog: catalog, model: model, estimatedTokens: Self.estimatedTokens(body), streaming: false, operation: operation)
        let answered = try await loop.run(context: context)
        let lease = answered.lease
        let countsTokens = lease.monitor.target.tpm != nil || permit != nil
        let tokens = countsTokens ? UsageReader.totalTokens(in: answered.value.body) : nil
        lease.finish(.success, actualTokens: tokens)
        permit?.release(actualTokens: tokens)
        return Routed(
            value: UpstreamReply(body: answered.value.body.rewritingTopLevelModel(to: model), dialect: answered.value.dialect),
            target: lease.monitor.target, attempts: answered.attempts, headroom: permit?.headroom)
    }

    /// A cheap guess at a request's prompt tokens, corrected once the upstream tells.
    static func estimatedTokens(_ body: ByteBuffer) -> Int { TokenEstimate.tokens(in: body) }

    /// The input tokens of `request` for `request.model`, as its first target counts them.
    public func countTokens(_ request: ChatRequest, context: UpstreamContext) async throws -> Int {
        guard let entry = catalog.entry(request.model) else { throw GatewayError.unknownModel(request.model) }
        guard let monitor = entry.monitors.first, let provider = entry.providers[monitor.target.provider] else {
            throw GatewayError(status: 502, kind: .api, code: "no_target", message: "The model '\(request.model)' has no usable target.")
        }
        return try await provider.countTokens(request, model: monitor.target.model, context: context)
    }
}

/// Relays a target's events under the public model name, and settles the target's lease when the stream ends:
/// time to first token, success or failure, and the real token count when the upstream reports usage.
struct MeteredEventSource: ChatEventSource {
    var base: ChatEventStream.AsyncIterator
    let lease: TargetLease
    /// The caller's hold on its rate limits, released when the stream ends.
    let permit: LimitPermit?
    let publicName: String
    var timeToFirstToken: Duration?
    var totalTokens: Int?

    init(base: ChatEventStream.AsyncIterator, lease: TargetLease, permit: LimitPermit?, publicName: String) {
        self.base = base
        self.lease = lease
        self.permit = permit
        self.publicName = publicName
    }

    mutating func next() async throws -> ChatStreamEvent? {
        let event: ChatStreamEvent?
        do {
            event = try await base.next()
        } catch let error as GatewayError {
            lease.finish(.failure, error: error.message, timeToFirstToken: timeToFirstToken)
            permit?.release()
            throw error
        } catch {
            lease.finish(.abandoned)
            permit?.release()
            throw error
        }
        switch event {
        case .chunk(let data):
            if timeToFirstToken == nil { timeToFirstToken = .now - lease.startedAt }
            if lease.monitor.target.tpm != nil || permit != nil, let tokens = UsageReader.totalTokens(in: data) { totalTokens = tokens }
            return .chunk(data.rewritingTopLevelModel(to: publicName))
        case .done:
            return .done
        case .native(let event):
            if timeToFirstToken == nil { timeToFirstToken = .now - lease.startedAt }
            return .native(event)
        case nil:
            lease.finish(.success, timeToFirstToken: timeToFirstToken, actualTokens: totalTokens)
            permit?.release(actualTokens: totalTokens)
            return nil
        }
    }
}

/// Reads `usage.total_tokens` from an OpenAI answer or chunk without decoding the rest.
enum UsageReader {
    static func totalTokens(in body: ByteBuffer) -> Int? {
        guard let document = try? TopLevelJSON(scanning: body), let usage = document.member("usage"), usage.kind == .object,
            let inner = try? TopLevelJSON(scanning: document.slice(usage)), let total = inner.member("total_tokens"),
            total.kind == .number
        else { return nil }
        return Int(String(buffer: inner.slice(total)))
    }
}
