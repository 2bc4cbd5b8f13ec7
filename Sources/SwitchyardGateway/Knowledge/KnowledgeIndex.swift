import Synchronization
package import SwitchyardCore
package import SwitchyardWire

/// Each searched vector store's chunks held in memory, their vectors normalised and laid end to end, so an exact
/// search is one pass over contiguous floats. A store's copy is used while the store's `version` in storage is the
/// one it was loaded at (so every replica sees a file ingested or removed through any other), and reloaded
/// otherwise. The least recently searched stores are let go past a budget of bytes.
package final class KnowledgeIndex: Sendable {
    /// One store's chunks as of a version.
    package struct Snapshot: Sendable {
        package struct Chunk: Sendable {
            package var fileID: String
            package var position: Int
            package var text: String
            /// Whether it has a vector of the snapshot's dimension (its floats at `index * dimension`).
            package var hasVector: Bool
        }

        package struct File: Sendable {
            package var filename: String
            package var attributes: [String: JSONValue]
        }

        package let version: Int64
        package let dimension: Int
        package let chunks: [Chunk]
        /// Unit vectors, `dimension` floats per chunk (zeros for a chunk without one).
        package let vectors: [Float]
        package let files: [String: File]
        /// About what it holds in memory: its floats and texts.
        package let bytes: Int
        /// A chunk's index by file and position.
        let places: [String: [Int: Int]]

        package init(version: Int64, chunks: [KnowledgeChunk], files: [VectorStoreFile]) {
            self.version = version
            // The dimension most chunks have: an embedding model changed midway leaves the others unsearchable by vector.
            var dimensions: [Int: Int] = [:]
            for chunk in chunks where !chunk.vector.isEmpty { dimensions[chunk.vector.count, default: 0] += 1 }
            let dimension = dimensions.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0
            self.dimension = dimension
            var vectors = [Float](repeating: 0, count: chunks.count * dimension)
            var indexed: [Chunk] = []
            indexed.reserveCapacity(chunks.count)
            var places: [String: [Int: Int]] = [:]
            for (index, chunk) in chunks.enumerated() {
                var hasVector = false
                if dimension > 0, chunk.vector.count == dimension, let unit = SemanticIndex.unit(chunk.vector) {
                    vectors.replaceSubrange(index * dimension..<(index + 1) * dimension, with: unit)
                    hasVector = true
                }
                indexed.append(Chunk(fileID: chunk.fileID, position: chunk.position, text: chunk.text, hasVector: hasVector))
                places[chunk.fileID, default: [:]][chunk.position] = index
            }
            self.chunks = indexed
            self.vectors = vectors
            self.bytes = vectors.count * MemoryLayout<Float>.stride + chunks.reduce(0) { $0 + $1.text.utf8.count + 64 }
            self.places = places
            self.files = Dictionary(files.map { ($0.fileID, File(filename: $0.filename, attributes: $0.attributes)) }) { first, _ in first }
        }

        /// The chunk at `position` of `fileID`.
        package func chunkIndex(fileID: String, position: Int) -> Int? { places[fileID]?[position] }

        /// The `limit` chunks most similar to the unit vector `query` that `include` lets through, best first, with
        /// their cosine similarity.
        package func nearest(to query: [Float], limit: Int, include: (Int) -> Bool) -> [(index: Int, similarity: Float)] {
            guard dimension > 0, query.count == dimension, limit > 0 else { return [] }
            var best: [(index: Int, similarity: Float)] = []
            best.reserveCapacity(limit + 1)
            vectors.withUnsafeBytes { floats in
                query.withUnsafeBytes { query in
                    let width = dimension * MemoryLayout<Float>.stride
                    for index in chunks.indices where chunks[index].hasVector {
                        let start = index * width
                        let sum = SemanticIndex.dot(UnsafeRawBufferPointer(rebasing: floats[start..<start + width]), query, count: dimension)
                        guard best.count < limit || sum > best[best.count - 1].similarity, include(index) else { continue }
                        // Insertion into the short sorted list of the best so far.
                        var slot = best.count
                        while slot > 0, best[slot - 1].similarity < sum { slot -= 1 }
                        best.insert((index, sum), at: slot)
                        if best.count > limit { best.removeLast() }
                    }
                }
            }
            return best
        }
    }

    private struct State {
        var snapshots: [String: Snapshot] = [:]
        var lastUsed: [String: UInt64] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most bytes held across stores (a 100,000-chunk store of 1,536-dimension vectors is about 0.7 GB).
    let byteBudget: Int

    package init(byteBudget: Int = 1 << 30) {
        self.byteBudget = byteBudget
    }

    /// The store's snapshot at `version`, loading it through `load` when the one held is of another version.
    package func snapshot(of storeID: String, version: Int64, load: () async throws -> Snapshot) async throws -> Snapshot {
        let held = state.withLock { state -> Snapshot? in
            guard let snapshot = state.snapshots[storeID], snapshot.version == version else { return nil }
            state.clock += 1
            state.lastUsed[storeID] = state.clock
            return snapshot
        }
        if let held { return held }
        let loaded = try await load()
        state.withLock { state in
            // A newer version loaded meanwhile by another search stays.
            if let current = state.snapshots[storeID], current.version > loaded.version { return }
            state.snapshots[storeID] = loaded
            state.clock += 1
            state.lastUsed[storeID] = state.clock
            var total = state.snapshots.values.reduce(0) { $0 + $1.bytes }
            while total > byteBudget, state.snapshots.count > 1,
                let oldest = state.lastUsed.filter({ $0.key != storeID }).min(by: { $0.value < $1.value })?.key
            {
                total -= state.snapshots[oldest]?.bytes ?? 0
                state.snapshots[oldest] = nil
                state.lastUsed[oldest] = nil
            }
        }
        return loaded
    }

    /// Lets a deleted store's snapshot go.
    package func forget(_ storeID: String) {
        state.withLock { state in
            state.snapshots[storeID] = nil
            state.lastUsed[storeID] = nil
        }
    }
}
