import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// The gateway's use cases, one method per endpoint: route the public model over its targets and fallbacks, and
/// hand back the answer under the public model name.
public struct Gateway: Sendable {
    public let catalog: ModelCatalog

    public init(catalog: ModelCatalog) {
        self.catalog = catalog
    }

    /// An answer, the target that produced it, and how many upstream calls it took.
    public struct Routed<Value: Sendable>: Sendable {
        public var value: Value
        public var target: Target
        public var attempts: Int
    }

    /// A non-streamed chat completion.
    public func complete(_ request: ChatRequest, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        try await reply(model: request.model, body: request.body, context: context) { candidate, context in
            try await candidate.provider.chat(request, model: candidate.target.model, context: context)
        }
    }

    /// An embeddings request.
    public func embed(_ request: EmbeddingRequest, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        try await reply(model: request.model, body: request.body, context: context) { candidate, context in
            try await candidate.provider.embed(request, model: candidate.target.model, context: context)
        }
    }

    /// A streamed chat completion. Targets are retried only until one accepts the request; once events flow, a
    /// failure ends the stream.
    public func stream(_ request: ChatRequest, context: UpstreamContext) async throws -> Routed<ChatEventStream> {
        var loop = AttemptLoop(catalog: catalog, model: request.model, estimatedTokens: Self.estimatedTokens(request.body), streaming: true) {
            candidate, context in
            try await candidate.provider.streamChat(request, model: candidate.target.model, context: context)
        }
        let answered = try await loop.run(context: context)
        let upstream = answered.value
        let lease = answered.lease
        let publicName = request.model
        let events = ChatEventStream {
            MeteredEventSource(base: upstream.makeAsyncIterator(), lease: lease, publicName: publicName)
        }
        return Routed(value: events, target: lease.monitor.target, attempts: answered.attempts)
    }

    private func reply(
        model: String, body: ByteBuffer, context: UpstreamContext,
        _ operation: @escaping @Sendable (Candidate, UpstreamContext) async throws -> UpstreamReply
    ) async throws -> Routed<UpstreamReply> {
        var loop = AttemptLoop(catalog: catalog, model: model, estimatedTokens: Self.estimatedTokens(body), streaming: false, operation: operation)
        let answered = try await loop.run(context: context)
        let lease = answered.lease
        let tokens = lease.monitor.target.tpm == nil ? nil : UsageReader.totalTokens(in: answered.value.body)
        lease.finish(.success, actualTokens: tokens)
        return Routed(
            value: UpstreamReply(body: answered.value.body.rewritingTopLevelModel(to: model), dialect: answered.value.dialect),
            target: lease.monitor.target,
            attempts: answered.attempts)
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
    let publicName: String
    var timeToFirstToken: Duration?
    var totalTokens: Int?

    init(base: ChatEventStream.AsyncIterator, lease: TargetLease, publicName: String) {
        self.base = base
        self.lease = lease
        self.publicName = publicName
    }

    mutating func next() async throws -> ChatStreamEvent? {
        let event: ChatStreamEvent?
        do {
            event = try await base.next()
        } catch let error as GatewayError {
            lease.finish(.failure, error: error.message, timeToFirstToken: timeToFirstToken)
            throw error
        } catch {
            lease.finish(.abandoned)
            throw error
        }
        switch event {
        case .chunk(let data):
            if timeToFirstToken == nil { timeToFirstToken = .now - lease.startedAt }
            if lease.monitor.target.tpm != nil, let tokens = UsageReader.totalTokens(in: data) { totalTokens = tokens }
            return .chunk(data.rewritingTopLevelModel(to: publicName))
        case .done:
            return .done
        case .native(let event):
            if timeToFirstToken == nil { timeToFirstToken = .now - lease.startedAt }
            return .native(event)
        case nil:
            lease.finish(.success, timeToFirstToken: timeToFirstToken, actualTokens: totalTokens)
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
