import Foundation
import Synchronization
package import Logging
package import SwitchyardCore
package import SwitchyardWire

/// The tenants' vector stores as search sees them: files queued for ingestion (``KnowledgeIngestor`` works through
/// the queue), and hybrid search over the stores' chunks — cosine similarity over the vectors held in memory
/// (``KnowledgeIndex``) and the database's full-text ranking, fused by reciprocal rank.
package final class KnowledgeBase: Sendable {
    /// A file waiting to be ingested.
    package struct Job: Sendable, Hashable {
        package let storeID: String
        package let fileID: String
    }

    package let store: any KnowledgeStore
    package let files: any FileStore
    /// The gateway and embedding model of the configuration in force (they change on reload).
    private let settings: Mutex<(gateway: Gateway, embeddingModel: String?)>
    var gateway: Gateway { settings.withLock { $0.gateway } }
    /// The model chunks and queries are embedded with; nil searches by words alone.
    package var embeddingModel: String? { settings.withLock { $0.embeddingModel } }
    let index: KnowledgeIndex
    package let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation
    let logger: Logger

    /// Files queued past this many wait for the next sweep of storage.
    static let queueLimit = 10_000
    /// The constant of reciprocal rank fusion: each ranking adds `weight / (k + rank)`.
    static let fusionConstant = 60.0

    package init(store: any KnowledgeStore, files: any FileStore, gateway: Gateway, embeddingModel: String?, index: KnowledgeIndex = KnowledgeIndex(), logger: Logger) {
        self.store = store
        self.files = files
        settings = Mutex((gateway, embeddingModel))
        self.index = index
        self.logger = logger
        (jobs, queue) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
    }

    /// Puts a reloaded configuration's gateway and embedding model in place for later searches and ingestions.
    package func use(gateway: Gateway, embeddingModel: String?) {
        settings.withLock { $0 = (gateway, embeddingModel) }
    }

    /// Queues a file for ingestion, unless it is queued already (a full queue leaves it to the next sweep).
    func enqueue(_ job: Job) {
        guard queued.withLock({ $0.insert(job).inserted }) else { return }
        if case .dropped = queue.yield(job) { queued.withLock { _ = $0.remove(job) } }
    }

    /// Takes a job off the set of those queued, as a worker starts on it.
    func dequeued(_ job: Job) { queued.withLock { _ = $0.remove(job) } }

    private let queued = Mutex<Set<Job>>([])

    /// Ends the queue at shutdown; files not ingested are resumed by the next start.
    package func stop() {
        stopping.store(true, ordering: .relaxed)
        queue.finish()
    }

    /// Whether the gateway is stopping: files still queued are left to the next start.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }
    private let stopping = Atomic<Bool>(false)

    /// The vector store `id` of the caller's tenant, else 404 (another tenant's too).
    package func vectorStore(_ id: String, caller: Caller?, param: String? = nil) async throws -> StoredVectorStore {
        guard id.isStorableName, let stored = try await store.vectorStore(id: id, scope: caller.tenantReadScope) else {
            throw GatewayError(status: 404, kind: .notFound, code: "vector_store_not_found", message: "No vector store '\(id)' was found.", param: param)
        }
        return stored
    }

    // MARK: Search

    /// - Throws: 400 for a search by vector alone when no embedding model is configured (it could find nothing).
    package func check(_ query: KnowledgeQuery, param: String = "") throws(GatewayError) {
        if query.textWeight == 0, embeddingModel == nil {
            throw .badRequest(
                "Search by vector alone needs knowledge.embedding_model, which this gateway does not configure; give text_weight above 0.",
                param: param + "ranking_options.hybrid_search.text_weight")
        }
    }

    /// One chunk found.
    package struct Result: Sendable, Equatable {
        package var storeID: String
        package var fileID: String
        package var filename: String
        package var position: Int
        package var text: String
        package var attributes: [String: JSONValue]
        /// From 0 to 1: the cosine similarity for a search by vector alone; otherwise the fused reciprocal-rank
        /// score scaled so that 1 is first in every ranking searched.
        package var score: Double

        /// As `POST /v1/vector_stores/{id}/search` answers it.
        package var json: JSONValue {
            [
                "file_id": .string(fileID), "filename": .string(filename), "score": .number(score), "attributes": .object(attributes),
                "content": [["type": "text", "text": .string(text)]],
            ]
        }
    }

    /// The best chunks of `stores` for `query`, best first.
    package func search(_ stores: [StoredVectorStore], query: KnowledgeQuery, caller: Caller?, context: UpstreamContext) async throws -> [Result] {
        let snapshots = try await snapshots(of: stores)
        let candidates = max(query.maxResults * 4, 40)
        // The filter is applied once per file, not per chunk.
        let allowed: [Set<String>]? = query.filter.map { filter in
            snapshots.map { entry in Set(entry.snapshot.files.filter { filter.matches($0.value.attributes) }.keys) }
        }
        // The database's full-text ranking runs (on its own threads) while the query is embedded and the vectors
        // are scanned.
        let terms = query.terms
        let store = self.store
        let lexicalLimit = query.filter == nil ? candidates : candidates * 4
        let storeIDs = snapshots.map(\.store.id)
        let searchesWords = query.textWeight > 0 && !terms.isEmpty
        async let lexical = Self.lexicalMatches(in: searchesWords ? storeIDs : [], terms: terms, limit: lexicalLimit, store: store)
        let (byVector, similarities, searchedByVector) = try await rankByVector(
            query, in: snapshots.map(\.snapshot), allowed: allowed, candidates: candidates, caller: caller, context: context)
        var byWords: [RankedChunk] = []
        let matched = try await lexical
        let perStore = matched.enumerated().map { position, matches in
            matches.compactMap { match -> RankedChunk? in
                guard allowed?[position].contains(match.fileID) ?? true,
                    let chunk = snapshots[position].snapshot.chunkIndex(fileID: match.fileID, position: match.position)
                else { return nil }
                return RankedChunk(store: position, chunk: chunk)
            }
        }
        // Ranks of different stores are not comparable: their lists are interleaved, first with first.
        for rank in 0..<(perStore.map(\.count).max() ?? 0) where byWords.count < candidates {
            for list in perStore where rank < list.count { byWords.append(list[rank]) }
        }
        let scored: [(RankedChunk, Double)]
        if searchedByVector && !searchesWords {
            scored = byVector.map { ($0, Double(max(0, min(1, similarities[$0] ?? 0)))) }
        } else {
            var rankings: [([RankedChunk], Double)] = []
            if searchedByVector { rankings.append((byVector, query.embeddingWeight)) }
            if searchesWords { rankings.append((byWords, query.textWeight)) }
            scored = Self.fuse(rankings)
        }
        return scored.filter { $0.1 >= query.scoreThreshold }.prefix(query.maxResults).map { ranked, score in
            let (stored, snapshot) = snapshots[ranked.store]
            let chunk = snapshot.chunks[ranked.chunk]
            let file = snapshot.files[chunk.fileID]
            return Result(
                storeID: stored.id, fileID: chunk.fileID, filename: file?.filename ?? "", position: chunk.position, text: chunk.text,
                attributes: file?.attributes ?? [:], score: score)
        }
    }

    /// Each store's snapshot, brought up to its version: the files ingested since the one held are read, the others'
    /// chunks are kept. A store deleted meanwhile is left out.
    func snapshots(of stores: [StoredVectorStore]) async throws -> [(store: StoredVectorStore, snapshot: KnowledgeIndex.Snapshot)] {
        var snapshots: [(store: StoredVectorStore, snapshot: KnowledgeIndex.Snapshot)] = []
        for stored in stores {
            // Deleted meanwhile: nothing to search.
            guard let version = try await store.vectorStoreVersion(id: stored.id) else { continue }
            let snapshot = try await index.snapshot(of: stored.id, version: version) { held in
                let files = try await store.vectorStoreFiles(storeID: stored.id, status: .completed, after: nil, limit: 1_000_000, ascending: true)
                var (segments, missing) = KnowledgeIndex.Snapshot.reusable(from: held, for: files)
                if !missing.isEmpty {
                    var read: [String: [KnowledgeChunk]] = [:]
                    for chunk in try await store.knowledgeChunks(storeID: stored.id, fileIDs: missing.map(\.fileID)) {
                        read[chunk.fileID, default: []].append(chunk)
                    }
                    for file in missing { segments[file.fileID] = KnowledgeIndex.Segment(fileID: file.fileID, addedAt: file.createdAt, chunks: read[file.fileID] ?? []) }
                }
                return KnowledgeIndex.Snapshot(version: version, segments: files.compactMap { segments[$0.fileID] }, files: files)
            }
            snapshots.append((stored, snapshot))
        }
        return snapshots
    }

    /// The chunks nearest the query's vector across `snapshots`, best first, with their similarities, and whether
    /// the search by vector ran.
    func rankByVector(
        _ query: KnowledgeQuery, in snapshots: [KnowledgeIndex.Snapshot], allowed: [Set<String>]?, candidates: Int, caller: Caller?,
        context: UpstreamContext
    ) async throws -> ([RankedChunk], [RankedChunk: Float], Bool) {
        guard query.embeddingWeight > 0, let queryVector = try await queryVector(query, searching: snapshots, caller: caller, context: context) else {
            return ([], [:], false)
        }
        var found: [(RankedChunk, Float)] = []
        for (position, snapshot) in snapshots.enumerated() {
            let files = allowed?[position]
            for hit in snapshot.nearest(to: queryVector, limit: candidates, include: { files?.contains(snapshot.chunks[$0].fileID) ?? true }) {
                found.append((RankedChunk(store: position, chunk: hit.index), hit.similarity))
            }
        }
        found.sort { $0.1 > $1.1 }
        let best = found.prefix(candidates)
        return (best.map(\.0), Dictionary(best.map { ($0.0, $0.1) }) { first, _ in first }, true)
    }

    /// Each store's chunks matching `terms`, best first.
    static func lexicalMatches(in storeIDs: [String], terms: [String], limit: Int, store: any KnowledgeStore) async throws -> [[LexicalMatch]] {
        var matches: [[LexicalMatch]] = []
        for storeID in storeIDs { matches.append(try await store.lexicalMatches(storeID: storeID, terms: terms, limit: limit)) }
        return matches
    }

    /// A chunk of the `store`-th store searched.
    struct RankedChunk: Hashable {
        let store: Int
        let chunk: Int
    }

    /// Reciprocal rank fusion of weighted rankings (best first), scaled so that first in every ranking is 1.
    static func fuse<Item: Hashable>(_ rankings: [([Item], Double)]) -> [(Item, Double)] {
        let best = rankings.reduce(0) { $0 + $1.1 / (fusionConstant + 1) }
        guard best > 0 else { return [] }
        var scores: [Item: Double] = [:]
        var order: [Item] = []
        for (ranking, weight) in rankings {
            for (rank, item) in ranking.enumerated() {
                if scores[item] == nil { order.append(item) }
                scores[item, default: 0] += weight / (fusionConstant + Double(rank + 1))
            }
        }
        // Stable for ties: the order items were first met in.
        return order.enumerated().sorted { left, right in
            let (a, b) = (scores[left.element] ?? 0, scores[right.element] ?? 0)
            return a != b ? a > b : left.offset < right.offset
        }.map { ($0.element, min(1, (scores[$0.element] ?? 0) / best)) }
    }

    /// The query's unit vector; nil when no store searched has vectors or no embedding model is configured. When the
    /// embedding fails the search is by words alone, or fails with it when it was by vector alone.
    func queryVector(_ query: KnowledgeQuery, searching snapshots: [KnowledgeIndex.Snapshot], caller: Caller?, context: UpstreamContext) async throws
        -> [Float]?
    {
        guard let embeddingModel, snapshots.contains(where: { $0.dimension > 0 }), !query.text.allSatisfy(\.isWhitespace) else { return nil }
        do {
            let vectors = try await gateway.embeddings(of: [query.text], model: embeddingModel, caller: caller?.onGatewaysBehalf, context: context)
            return vectors.first.flatMap(SemanticIndex.unit)
        } catch where query.textWeight > 0 {
            context.logger.warning("knowledge search query not embedded; searching by words alone", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
