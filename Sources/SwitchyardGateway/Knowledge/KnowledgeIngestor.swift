import Foundation
import Logging
import ServiceLifecycle
package import SwitchyardCore
import SwitchyardWire

/// Ingests the files added to vector stores, off the request path: each file's text (HTML's readable text) cut
/// into chunks by its chunking strategy, the chunks embedded through the gateway's own pipeline on behalf of the
/// key that added the file (its limits, budget and spend), and stored with the file marked completed — or failed
/// with why. A file is claimed in storage before it is worked on, so replicas never ingest one twice; files left
/// in progress by a stop or a crash are found by a sweep of storage at start and every minute after.
package struct KnowledgeIngestor: Service {
    let knowledge: KnowledgeBase
    /// The caller a file's embeddings are made for, by the id of the key that added it (nil: the master key); nil
    /// when that key no longer exists.
    let caller: @Sendable (_ keyID: String?) -> Caller??
    let sweepInterval: Duration

    /// Files ingested at once.
    static let workers = 2
    /// Chunks embedded per request.
    static let batchSize = 64
    /// How long a claim holds; a replica that stops mid-file leaves it to another after this.
    static let claimDuration: TimeInterval = 15 * 60
    /// Tries per batch when the embedding call fails for a reason that may pass: upstream errors a few times, rate
    /// limits (the key's own, or the provider's) for minutes, well within a claim.
    static let attempts = 3
    static let rateLimitedAttempts = 10

    package init(knowledge: KnowledgeBase, sweepInterval: Duration = .seconds(60), caller: @escaping @Sendable (_ keyID: String?) -> Caller??) {
        self.knowledge = knowledge
        self.sweepInterval = sweepInterval
        self.caller = caller
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.workers {
                    group.addTask {
                        for await job in knowledge.jobs where !knowledge.isStopping {
                            knowledge.dequeued(job)
                            await ingest(job)
                        }
                    }
                }
                group.addTask {
                    await cancelWhenGracefulShutdown {
                        while !Task.isCancelled {
                            await sweep()
                            try? await Task.sleep(for: sweepInterval)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            knowledge.stop()
        }
    }

    /// Queues the files in progress that no replica holds.
    func sweep() async {
        do {
            for file in try await knowledge.store.unclaimedVectorStoreFiles(now: Date(), limit: 1_000) {
                knowledge.enqueue(KnowledgeBase.Job(storeID: file.storeID, fileID: file.fileID))
            }
        } catch {
            knowledge.logger.warning("could not look for vector store files to ingest", metadata: ["error": "\(error)"])
        }
    }

    /// Claims and ingests one file; a file another worker or replica holds is left to it.
    func ingest(_ job: KnowledgeBase.Job) async {
        let store = knowledge.store
        let logger = knowledge.logger
        let token = UUID().uuidString
        do {
            let now = Date()
            guard try await store.claimVectorStoreFile(storeID: job.storeID, fileID: job.fileID, token: token, until: now + Self.claimDuration, now: now),
                let file = try await store.vectorStoreFile(storeID: job.storeID, fileID: job.fileID)
            else { return }
            guard let vectorStore = try await store.vectorStore(id: job.storeID, scope: nil) else {
                // Added as its store was deleted: nothing to ingest it into.
                _ = try await store.deleteVectorStoreFile(storeID: job.storeID, fileID: job.fileID)
                return
            }
            let claim = Claim(job: job, token: token)
            do {
                // At shutdown the file in hand is let go, not finished: its embedding calls are cancelled (the
                // storage calls that follow are not, so the claim is released).
                let ingested = try await cancelWhenGracefulShutdown { try await chunks(of: file, in: vectorStore, claim: claim) }
                let completed = try await store.completeVectorStoreFile(
                    storeID: job.storeID, fileID: job.fileID, token: token, chunks: ingested.0, usageBytes: ingested.1)
                if !completed { logger.debug("vector store file removed while it was ingested", metadata: ["file": "\(job.fileID)"]) }
            } catch is ClaimLost {
                logger.debug("vector store file no longer held; left to its new holder", metadata: ["file": "\(job.fileID)"])
            } catch let failure as IngestionFailure {
                try await store.failVectorStoreFile(storeID: job.storeID, fileID: job.fileID, token: token, error: failure.message)
            } catch let error as GatewayError where !Task.isShuttingDownGracefully {
                try await store.failVectorStoreFile(storeID: job.storeID, fileID: job.fileID, token: token, error: error.message)
            } catch where Task.isShuttingDownGracefully {
                // Another replica, or this one's next start, takes the file up at once.
                try await store.releaseVectorStoreFile(storeID: job.storeID, fileID: job.fileID, token: token)
            }
        } catch {
            // Storage failed: the claim lapses and a later sweep tries again.
            logger.warning("vector store file not ingested", metadata: ["file": "\(job.fileID)", "error": "\(error)"])
        }
    }

    /// A worker's hold on a file.
    struct Claim {
        let job: KnowledgeBase.Job
        let token: String
    }

    /// The file is no longer in progress under this worker's claim (removed, or taken by another after the claim
    /// lapsed): its work stops, unpaid for beyond the batch in hand.
    struct ClaimLost: Error {}

    /// Why a file cannot be ingested, as its `last_error` says it.
    struct IngestionFailure: Error {
        let message: String
    }

    /// The file's chunks with their vectors, and the bytes of text they hold. The claim is renewed after each batch.
    func chunks(of file: VectorStoreFile, in vectorStore: StoredVectorStore, claim: Claim) async throws -> ([KnowledgeChunk], Int) {
        guard let stored = try await knowledge.files.file(id: file.fileID, scope: vectorStore.scope, withContent: true) else {
            throw IngestionFailure(message: "The file was deleted before it was ingested.")
        }
        guard let raw = String(validating: stored.content, as: UTF8.self) else { throw IngestionFailure(message: "The file is not UTF-8 text.") }
        let kind = FileService.kind(of: stored.filename)
        let text = kind == "html" || kind == "htm" ? HTMLText.extract(raw) : raw
        let pieces = TextChunker(maxTokens: file.maxChunkTokens, overlapTokens: file.overlapTokens).chunks(of: text)
        var vectors: [[Float]] = []
        if let model = knowledge.embeddingModel, !pieces.isEmpty {
            guard let caller = caller(file.keyID) else {
                throw IngestionFailure(message: "The key that added the file no longer exists, so its embeddings cannot be paid for.")
            }
            let context = UpstreamContext(requestID: "ingest-" + file.fileID, logger: knowledge.logger, stopwatch: UpstreamStopwatch())
            for start in stride(from: 0, to: pieces.count, by: Self.batchSize) {
                let batch = Array(pieces[start..<min(start + Self.batchSize, pieces.count)])
                vectors += try await embed(batch, model: model, caller: caller, context: context) { try await renew(claim) }
                try await renew(claim)
            }
        }
        let chunks = pieces.enumerated().map { position, text in
            KnowledgeChunk(fileID: file.fileID, position: position, text: text, vector: position < vectors.count ? vectors[position] : [])
        }
        return (chunks, pieces.reduce(0) { $0 + $1.utf8.count })
    }

    /// Extends the claim, or stops the work when it is no longer this worker's.
    func renew(_ claim: Claim) async throws {
        let renewed = try await knowledge.store.renewVectorStoreFileClaim(
            storeID: claim.job.storeID, fileID: claim.job.fileID, token: claim.token, until: Date() + Self.claimDuration)
        guard renewed else { throw ClaimLost() }
    }

    /// 429s that waiting does not cure: the key's or team's budget or token quota is spent.
    static let lastingRefusals: Set<String> = ["budget_exceeded", "token_quota_exceeded"]

    /// One batch's vectors, tried again after a rate limit (waiting up to a minute between tries) or an upstream
    /// failure; the claim is renewed before each wait.
    func embed(_ batch: [String], model: String, caller: Caller?, context: UpstreamContext, renew: () async throws -> Void) async throws -> [[Float]] {
        var attempt = 1
        while true {
            do {
                return try await knowledge.gateway.embeddings(of: batch, model: model, caller: caller?.onGatewaysBehalf, context: context)
            } catch let error as GatewayError
                where error.status == 429 && !Self.lastingRefusals.contains(error.code ?? "") && attempt < Self.rateLimitedAttempts
            {
                try await renew()
                try await Task.sleep(for: .seconds(min(60, attempt * 5)))
            } catch let error as GatewayError where error.status >= 500 && attempt < Self.attempts {
                try await renew()
                try await Task.sleep(for: .seconds(attempt * 2))
            }
            attempt += 1
        }
    }
}
