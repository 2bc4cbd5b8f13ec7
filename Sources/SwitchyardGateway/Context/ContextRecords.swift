import Foundation
package import Logging
package import SwitchyardCore

/// The summaries and turn embeddings context management made, so each is made once: read from the store (shared
/// by replicas), written by batch writers off the request path.
package final class ContextRecords: Sendable {
    private let store: any ContextStore
    package let summaryWriter: BatchedWriter<ContextSummary>
    package let embeddingWriter: BatchedWriter<ContextEmbedding>
    private let logger: Logger

    package init(store: any ContextStore, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.store = store
        self.logger = logger
        summaryWriter = BatchedWriter(name: "context_summaries", metrics: metrics, logger: logger) { try await store.storeContextSummaries($0) }
        embeddingWriter = BatchedWriter(name: "context_embeddings", metrics: metrics, logger: logger) { try await store.storeContextEmbeddings($0) }
    }

    /// The stored summary covering the most turns among `keys` (one per prefix of the history); nil when none is, or
    /// the store cannot be read.
    func longestSummary(scope: String, keys: [String]) async -> ContextSummary? {
        do {
            return try await store.contextSummaries(scope: scope, keys: keys).max { $0.turns < $1.turns }
        } catch {
            logger.warning("could not read context summaries", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The stored embeddings of `scope` among `keys`, by key; none when the store cannot be read.
    func embeddings(scope: String, keys: [String]) async -> [String: [Float]] {
        do {
            return Dictionary(try await store.contextEmbeddings(scope: scope, keys: keys).map { ($0.key, $0.vector) }) { first, _ in first }
        } catch {
            logger.warning("could not read context embeddings", metadata: ["error": "\(error)"])
            return [:]
        }
    }

    func keep(_ summary: ContextSummary) { summaryWriter.record(summary) }

    func keep(_ embedding: ContextEmbedding) { embeddingWriter.record(embedding) }
}
