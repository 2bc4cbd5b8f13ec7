import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Calls the gateway makes for a feature (a prompt's embedding, a summary), through its own pipeline: routed,
/// limited and metered like the caller's requests, under their own context (the journal stays the client's).
extension Gateway {
    /// `context` for a call of the gateway's own: the same request id, logger, deadline and trace, no journal.
    static func ownContext(_ context: UpstreamContext) -> UpstreamContext {
        UpstreamContext(
            requestID: context.requestID, logger: context.logger, stopwatch: context.stopwatch, deadline: context.deadline, tracer: context.tracer,
            traceContext: context.traceContext)
    }

    /// The embeddings of `texts` by the configured model `model`, in order, in one request.
    /// - Throws: when the call fails or its answer does not hold one whole vector per text.
    func embeddings(of texts: [String], model: String, caller: Caller?, context: UpstreamContext) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body = JSONValue.object(["model": .string(model), "input": .array(texts.map(JSONValue.string))]).encoded
        let routed = try await embed(EmbeddingRequest(body: body, model: model), caller: caller, context: Self.ownContext(context))
        let data = (try JSONValue(decoding: routed.value.body))["data"]?.array ?? []
        var vectors = [[Float]?](repeating: nil, count: texts.count)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.int ?? position
            guard vectors.indices.contains(index) else { continue }
            let values = item["embedding"]?.array ?? []
            let vector = values.compactMap { value -> Float? in
                switch value {
                case .number(let number): Float(number)
                case .integer(let number): Float(number)
                default: nil
                }
            }
            if vector.count == values.count, !vector.isEmpty { vectors[index] = vector }
        }
        let whole = vectors.compactMap { $0 }
        guard whole.count == texts.count else {
            throw GatewayError.upstreamUnavailable("The embedding model '\(model)' did not answer one vector per input.")
        }
        return whole
    }

    /// The text of a completion by the configured model `model` for `messages`, at most `maxTokens` long. The
    /// request is sent as it is: the model's own context management does not apply to it.
    func completionText(messages: [JSONValue], model: String, maxTokens: Int, caller: Caller?, context: UpstreamContext) async throws -> String {
        let body = JSONValue.object(["model": .string(model), "messages": .array(messages), "max_tokens": .integer(Int64(maxTokens))]).encoded
        let routed = try await completeFitted(ChatRequest(body: body, model: model, stream: false), caller: caller, context: Self.ownContext(context))
        guard let text = (try JSONValue(decoding: routed.value.body))["choices"]?.array?.first?["message"]?["content"]?.string, !text.isEmpty
        else { throw GatewayError.upstreamUnavailable("The model '\(model)' answered without text.") }
        return text
    }
}
