import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// The gateway's use cases, one method per endpoint: resolve the public model, walk its attempts, and hand back
/// the answer under the public model name.
public struct Gateway: Sendable {
    public let catalog: ModelCatalog

    public init(catalog: ModelCatalog) {
        self.catalog = catalog
    }

    /// An answer and the target that produced it.
    public struct Routed<Value: Sendable>: Sendable {
        public var value: Value
        public var target: Target
    }

    /// A non-streamed chat completion.
    public func complete(_ request: ChatRequest, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        let loop = AttemptLoop(plan: try catalog.plan(for: request.model), model: request.model)
        let (reply, attempt) = try await loop.run(context: context) { attempt in
            try await attempt.provider.chat(request, model: attempt.target.model, context: context)
        }
        return Routed(value: UpstreamReply(body: reply.body.rewritingTopLevelModel(to: request.model)), target: attempt.target)
    }

    /// A streamed chat completion. Attempts are retried only until an upstream accepts the request; once events
    /// flow, a failure ends the stream.
    public func stream(_ request: ChatRequest, context: UpstreamContext) async throws -> Routed<ChatEventStream> {
        let loop = AttemptLoop(plan: try catalog.plan(for: request.model), model: request.model)
        let (events, attempt) = try await loop.run(context: context) { attempt in
            try await attempt.provider.streamChat(request, model: attempt.target.model, context: context)
        }
        let publicName = request.model
        let renamed = events.map { event in
            switch event {
            case .chunk(let data): .chunk(data.rewritingTopLevelModel(to: publicName))
            case .done: .done
            }
        }
        return Routed(value: renamed, target: attempt.target)
    }

    /// An embeddings request.
    public func embed(_ request: EmbeddingRequest, context: UpstreamContext) async throws -> Routed<UpstreamReply> {
        let loop = AttemptLoop(plan: try catalog.plan(for: request.model), model: request.model)
        let (reply, attempt) = try await loop.run(context: context) { attempt in
            try await attempt.provider.embed(request, model: attempt.target.model, context: context)
        }
        return Routed(value: UpstreamReply(body: reply.body.rewritingTopLevelModel(to: request.model)), target: attempt.target)
    }
}
