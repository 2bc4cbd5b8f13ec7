/// tiktoken's byte-pair merge of one piece: a piece that is itself a token is that token; otherwise it starts as
/// single bytes and, while any adjacent pair of parts is a token, merges the pair of lowest rank (the leftmost on a
/// tie) into one part; each final part is a token.
///
/// Holds scratch buffers reused from piece to piece, so encoding a text allocates only while they grow. Pieces up to
/// `heapThreshold` bytes use tiktoken's own array of (start, rank) parts, rescanned for the minimum after each merge
/// (quadratic, fastest for the short pieces that are nearly all of them). Longer pieces, such as a long run of one
/// letter, use a linked list of parts and a binary min-heap of (rank, start) keys, which picks the same pair at
/// every step in O(n log n), so a hostile input cannot make a single piece quadratic.
struct BytePairEncoder {
    /// The longest piece merged with the quadratic scan.
    static let defaultHeapThreshold = 128

    private let heapThreshold: Int
    private var parts: [Part] = []
    private var nextStart: [Int] = []
    private var previousStart: [Int] = []
    private var pairRanks: [UInt32] = []
    private var heap: [UInt64] = []

    private struct Part {
        var start: Int
        /// The rank of the token this part and the next would make, or `Vocabulary.noRank`.
        var rank: UInt32
    }

    init(heapThreshold: Int = BytePairEncoder.defaultHeapThreshold) {
        self.heapThreshold = heapThreshold
    }

    /// Calls `emit` with the token ids of `piece`, in order.
    mutating func encode(_ piece: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, emit: (UInt32) -> Void) {
        guard let bytes = piece.baseAddress, !piece.isEmpty else { return }
        let whole = vocabulary.rank(of: bytes, count: piece.count)
        if whole != Vocabulary.noRank {
            emit(whole)
        } else if piece.count > heapThreshold && piece.count < Int(UInt32.max) {
            mergeWithHeap(bytes, count: piece.count, vocabulary: vocabulary, emit: emit)
        } else {
            mergeWithScan(bytes, count: piece.count, vocabulary: vocabulary, emit: emit)
        }
    }

    // MARK: - Short pieces: tiktoken's scan

    private mutating func mergeWithScan(
        _ bytes: UnsafePointer<UInt8>, count: Int, vocabulary: Vocabulary, emit: (UInt32) -> Void
    ) {
        let noRank = Vocabulary.noRank
        parts.removeAll(keepingCapacity: true)
        var minRank = noRank
        var minIndex = 0
        for index in 0..<(count - 1) {
            let rank = vocabulary.pairRank(bytes[index], bytes[index + 1])
            if rank < minRank {
                minRank = rank
                minIndex = index
            }
            parts.append(Part(start: index, rank: rank))
        }
        parts.append(Part(start: count - 1, rank: noRank))
        parts.append(Part(start: count, rank: noRank))

        while minRank != noRank {
            let index = minIndex
            // Merging parts[index] with parts[index + 1] changes the pairs that start at index - 1 and at index.
            if index > 0 {
                let previousRank = rankAfterMerge(at: index - 1, bytes, vocabulary)
                parts[index - 1].rank = previousRank
            }
            let mergedRank = rankAfterMerge(at: index, bytes, vocabulary)
            parts[index].rank = mergedRank
            parts.remove(at: index + 1)

            minRank = noRank
            minIndex = 0
            for candidate in 0..<(parts.count - 1) where parts[candidate].rank < minRank {
                minRank = parts[candidate].rank
                minIndex = candidate
            }
        }

        for index in 0..<(parts.count - 1) {
            emitPart(bytes + parts[index].start, count: parts[index + 1].start - parts[index].start, vocabulary, emit)
        }
    }

    /// The rank of the pair starting at `parts[index]` once `parts[index + 1]` is merged away: the bytes from
    /// `parts[index]` to `parts[index + 3]`.
    @inline(__always)
    private func rankAfterMerge(at index: Int, _ bytes: UnsafePointer<UInt8>, _ vocabulary: Vocabulary) -> UInt32 {
        guard index + 3 < parts.count else { return Vocabulary.noRank }
        let start = parts[index].start
        return vocabulary.rank(of: bytes + start, count: parts[index + 3].start - start)
    }

    // MARK: - Long pieces: linked parts and a heap

    private mutating func mergeWithHeap(
        _ bytes: UnsafePointer<UInt8>, count: Int, vocabulary: Vocabulary, emit: (UInt32) -> Void
    ) {
        let noRank = Vocabulary.noRank
        // Parts are named by their start offset 0...count (count being the end sentinel); merging removes a start.
        // Offsets keep their order, so a heap key rank << 32 | start breaks rank ties leftmost, as the scan does.
        nextStart.removeAll(keepingCapacity: true)
        previousStart.removeAll(keepingCapacity: true)
        pairRanks.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        for start in 0...count {
            nextStart.append(start + 1)
            previousStart.append(start - 1)
            pairRanks.append(noRank)
        }
        for start in 0..<(count - 1) {
            let rank = vocabulary.pairRank(bytes[start], bytes[start + 1])
            pairRanks[start] = rank
            if rank != noRank { heap.append(UInt64(rank) << 32 | UInt64(start)) }
        }
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(from: index)
            index -= 1
        }

        while let key = popMinimum() {
            let start = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let rank = UInt32(truncatingIfNeeded: key >> 32)
            // Stale: the part was merged away (its rank is then noRank) or its pair has changed since. A part's pair
            // only grows, and distinct tokens have distinct ranks, so an unchanged rank means an unchanged pair.
            guard pairRanks[start] == rank else { continue }
            let removed = nextStart[start]
            let following = nextStart[removed]
            pairRanks[removed] = noRank
            nextStart[start] = following
            previousStart[following] = start

            let mergedRank = linkedPairRank(at: start, bytes, count: count, vocabulary)
            pairRanks[start] = mergedRank
            if mergedRank != noRank { push(UInt64(mergedRank) << 32 | UInt64(start)) }
            if start > 0 {
                let previous = previousStart[start]
                let previousRank = linkedPairRank(at: previous, bytes, count: count, vocabulary)
                pairRanks[previous] = previousRank
                if previousRank != noRank { push(UInt64(previousRank) << 32 | UInt64(previous)) }
            }
        }

        var start = 0
        while start < count {
            let end = nextStart[start]
            emitPart(bytes + start, count: end - start, vocabulary, emit)
            start = end
        }
    }

    /// The rank of the part starting at `start` together with the part after it, or `noRank`.
    @inline(__always)
    private func linkedPairRank(
        at start: Int, _ bytes: UnsafePointer<UInt8>, count: Int, _ vocabulary: Vocabulary
    ) -> UInt32 {
        let second = nextStart[start]
        guard second < count else { return Vocabulary.noRank }
        return vocabulary.rank(of: bytes + start, count: nextStart[second] - start)
    }

    private mutating func push(_ key: UInt64) {
        heap.append(key)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popMinimum() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        guard let minimum = heap.first else { return last }
        heap[0] = last
        siftDown(from: 0)
        return minimum
    }

    private mutating func siftDown(from index: Int) {
        var parent = index
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            let right = left + 1
            if right < count && heap[right] < heap[left] { smallest = right }
            guard heap[smallest] < heap[parent] else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    // MARK: -

    /// Emits the token of a final part. Every final part is a token (a single byte, or a pair found in the
    /// vocabulary); the per-byte fallback only keeps a damaged vocabulary from dropping bytes.
    @inline(__always)
    private func emitPart(
        _ bytes: UnsafePointer<UInt8>, count: Int, _ vocabulary: Vocabulary, _ emit: (UInt32) -> Void
    ) {
        let rank = vocabulary.rank(of: bytes, count: count)
        if rank != Vocabulary.noRank {
            emit(rank)
        } else {
            for offset in 0..<count { emit(vocabulary.byteRank(bytes[offset])) }
        }
    }
}
