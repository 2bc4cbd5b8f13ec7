package import Foundation
import Synchronization
package import SwitchyardCore
package import SwitchyardWire

/// Each searched vector store's chunks held in memory, their vectors normalised and laid end to end per file, so an
/// exact search is a pass over contiguous floats. A store's copy is used while the store's `version` in storage is
/// the one it was loaded at (so every replica sees a file ingested or removed through any other); on a new version
/// only the files not held yet are read, since a file's chunks never change once ingested. The least recently
/// searched stores are let go past a budget of bytes.
package final class KnowledgeIndex: Sendable {
    /// One ingested file's chunks: a file added again (a new row) is a new segment.
    package struct Segment: Sendable {
        package let fileID: String
        /// When the file was added to the store: what tells one ingestion of the same file from another.
        package let addedAt: Date
        let positions: [Int]
        let texts: [String]
        /// Where each chunk's unit vector starts in `vectors`; its end is the next one's start (empty: no vector).
        let starts: [Int]
        let vectors: [Float]
        let bytes: Int

        /// The file's chunks, in the order given.
        package init(fileID: String, addedAt: Date, chunks: [KnowledgeChunk]) {
            self.fileID = fileID
            self.addedAt = addedAt
            positions = chunks.map(\.position)
            texts = chunks.map(\.text)
            var vectors: [Float] = []
            vectors.reserveCapacity(chunks.reduce(0) { $0 + $1.vector.count })
            var starts: [Int] = []
            starts.reserveCapacity(chunks.count + 1)
            for chunk in chunks {
                starts.append(vectors.count)
                // Normalised straight into place (a copy less per chunk than `SemanticIndex.unit`).
                guard !chunk.vector.isEmpty, chunk.vector.allSatisfy(\.isFinite) else { continue }
                let length = SemanticIndex.dot(chunk.vector, chunk.vector).squareRoot()
                guard length > 0, length.isFinite else { continue }
                for value in chunk.vector { vectors.append(value / length) }
            }
            starts.append(vectors.count)
            self.starts = starts
            self.vectors = vectors
            bytes = vectors.count * MemoryLayout<Float>.stride + chunks.reduce(0) { $0 + $1.text.utf8.count + 64 }
        }

        func dimension(of chunk: Int) -> Int { starts[chunk + 1] - starts[chunk] }
    }

    /// One store's chunks as of a version.
    package struct Snapshot: Sendable {
        package struct Chunk: Sendable {
            package var fileID: String
            package var position: Int
            package var text: String
            /// Whether it has a vector of the snapshot's dimension.
            package var hasVector: Bool
        }

        package struct File: Sendable {
            package var filename: String
            package var attributes: [String: JSONValue]
        }

        package let version: Int64
        /// The dimension most chunks' vectors have: an embedding model changed midway leaves the others
        /// unsearchable by vector (a tie goes to the smaller).
        package let dimension: Int
        /// Every chunk, segment after segment.
        package let chunks: [Chunk]
        package let files: [String: File]
        let segments: [Segment]
        /// Where each segment's chunks start in `chunks`.
        let segmentStarts: [Int]
        /// About what it holds in memory: its floats and texts.
        package let bytes: Int
        /// A chunk's index by file and position.
        let places: [String: [Int: Int]]

        /// `segments` of the store's completed `files`, at `version`.
        package init(version: Int64, segments: [Segment], files: [VectorStoreFile]) {
            self.version = version
            self.segments = segments
            var dimensions: [Int: Int] = [:]
            for segment in segments {
                for chunk in segment.positions.indices where segment.dimension(of: chunk) > 0 { dimensions[segment.dimension(of: chunk), default: 0] += 1 }
            }
            let dimension = dimensions.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0
            self.dimension = dimension
            var chunks: [Chunk] = []
            chunks.reserveCapacity(segments.reduce(0) { $0 + $1.positions.count })
            var segmentStarts: [Int] = []
            var places: [String: [Int: Int]] = [:]
            for segment in segments {
                segmentStarts.append(chunks.count)
                for offset in segment.positions.indices {
                    places[segment.fileID, default: [:]][segment.positions[offset]] = chunks.count
                    chunks.append(
                        Chunk(
                            fileID: segment.fileID, position: segment.positions[offset], text: segment.texts[offset],
                            hasVector: dimension > 0 && segment.dimension(of: offset) == dimension))
                }
            }
            self.chunks = chunks
            self.segmentStarts = segmentStarts
            self.places = places
            bytes = segments.reduce(0) { $0 + $1.bytes }
            self.files = Dictionary(files.map { ($0.fileID, File(filename: $0.filename, attributes: $0.attributes)) }) { first, _ in first }
        }

        /// `chunks` (of any files, in order) as one segment per file.
        package init(version: Int64, chunks: [KnowledgeChunk], files: [VectorStoreFile]) {
            var order: [String] = []
            var byFile: [String: [KnowledgeChunk]] = [:]
            for chunk in chunks {
                if byFile[chunk.fileID] == nil { order.append(chunk.fileID) }
                byFile[chunk.fileID, default: []].append(chunk)
            }
            let added = Dictionary(files.map { ($0.fileID, $0.createdAt) }) { first, _ in first }
            self.init(
                version: version,
                segments: order.map { Segment(fileID: $0, addedAt: added[$0] ?? Date(timeIntervalSince1970: 0), chunks: byFile[$0] ?? []) },
                files: files)
        }

        /// The segments of `held` still current for `files` (the same file, added at the same time), and the files
        /// whose chunks must be read.
        package static func reusable(from held: Snapshot?, for files: [VectorStoreFile]) -> (segments: [String: Segment], missing: [VectorStoreFile]) {
            let current = Dictionary((held?.segments ?? []).map { ($0.fileID, $0) }) { first, _ in first }
            var kept: [String: Segment] = [:]
            var missing: [VectorStoreFile] = []
            for file in files {
                if let segment = current[file.fileID], segment.addedAt == file.createdAt { kept[file.fileID] = segment } else { missing.append(file) }
            }
            return (kept, missing)
        }

        /// The unit vectors of every chunk, end to end, zeros for a chunk without one of the snapshot's dimension.
        package var vectors: [Float] {
            var vectors: [Float] = []
            for (segment, start) in zip(segments, segmentStarts) {
                for offset in segment.positions.indices {
                    if chunks[start + offset].hasVector {
                        vectors += segment.vectors[segment.starts[offset]..<segment.starts[offset + 1]]
                    } else {
                        vectors += [Float](repeating: 0, count: dimension)
                    }
                }
            }
            return vectors
        }

        /// The chunk at `position` of `fileID`.
        package func chunkIndex(fileID: String, position: Int) -> Int? { places[fileID]?[position] }

        /// The `limit` chunks most similar to the unit vector `query` that `include` lets through, best first, with
        /// their cosine similarity.
        package func nearest(to query: [Float], limit: Int, include: (Int) -> Bool) -> [(index: Int, similarity: Float)] {
            guard dimension > 0, query.count == dimension, limit > 0 else { return [] }
            var best: [(index: Int, similarity: Float)] = []
            best.reserveCapacity(limit + 1)
            query.withUnsafeBytes { query in
                for (segment, first) in zip(segments, segmentStarts) {
                    segment.vectors.withUnsafeBytes { floats in
                        segment.starts.withUnsafeBufferPointer { starts in
                            let stride = MemoryLayout<Float>.stride
                            guard let base = floats.baseAddress else { return }
                            // A chunk's vector is searched when it has the snapshot's dimension (told by where the next
                            // one starts, with no look at the chunk itself).
                            for offset in 0..<(starts.count - 1) where starts[offset + 1] - starts[offset] == dimension {
                                let vector = UnsafeRawBufferPointer(start: base + starts[offset] * stride, count: dimension * stride)
                                let sum = SemanticIndex.dot(vector, query, count: dimension)
                                guard best.count < limit || sum > best[best.count - 1].similarity, include(first + offset) else { continue }
                                // Insertion into the short sorted list of the best so far.
                                var slot = best.count
                                while slot > 0, best[slot - 1].similarity < sum { slot -= 1 }
                                best.insert((first + offset, sum), at: slot)
                                if best.count > limit { best.removeLast() }
                            }
                        }
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
        /// The stores being loaded, with the searches waiting for the load to end.
        var loading: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    /// What a search does next for a store.
    private enum Step {
        case use(Snapshot)
        case wait
        case load(held: Snapshot?)
    }

    private let state = Mutex(State())
    /// The most bytes held across stores (a 100,000-chunk store of 1,536-dimension vectors is about 0.7 GB).
    let byteBudget: Int

    package init(byteBudget: Int = 1 << 30) {
        self.byteBudget = byteBudget
    }

    /// The store's snapshot at `version`; when the one held is of another version, `load` makes it, given the one
    /// held (whose files' segments it may reuse). One search at a time loads a store; the others wait for it and
    /// use what it loaded (or load in turn, when it failed or is of another version).
    package func snapshot(of storeID: String, version: Int64, load: (_ held: Snapshot?) async throws -> Snapshot) async throws -> Snapshot {
        while true {
            let step = state.withLock { state -> Step in
                let held = state.snapshots[storeID]
                if let held, held.version >= version {
                    state.clock += 1
                    state.lastUsed[storeID] = state.clock
                    return .use(held)
                }
                if state.loading[storeID] != nil { return .wait }
                state.loading[storeID] = []
                return .load(held: held)
            }
            switch step {
            case .use(let snapshot):
                return snapshot
            case .wait:
                await withCheckedContinuation { continuation in
                    let waiting = state.withLock { state -> Bool in
                        guard state.loading[storeID] != nil else { return false }
                        state.loading[storeID, default: []].append(continuation)
                        return true
                    }
                    if !waiting { continuation.resume() }
                }
            case .load(let held):
                defer {
                    for waiter in state.withLock({ $0.loading.removeValue(forKey: storeID) ?? [] }) { waiter.resume() }
                }
                let loaded = try await load(held)
                keep(loaded, of: storeID)
                return loaded
            }
        }
    }

    /// Holds a loaded snapshot (unless a newer one is held), letting the least recently searched stores go past the
    /// budget.
    private func keep(_ loaded: Snapshot, of storeID: String) {
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
    }

    /// Lets a deleted store's snapshot go.
    package func forget(_ storeID: String) {
        state.withLock { state in
            state.snapshots[storeID] = nil
            state.lastUsed[storeID] = nil
        }
    }
}
