import Foundation
import NIOCore
import Synchronization
public import SwitchyardCore

/// The vectors of cached answers, in memory per scope, model and request context, for an exact nearest-neighbour
/// search by cosine similarity. Loaded from the store on first use and again whenever the scope's version in the
/// store has changed, so every replica searches what every other one stored.
public final class SemanticIndex: Sendable {
    /// One candidate: its entry and its vector scaled to unit length.
    public struct Candidate: Sendable {
        public let entry: CacheEntry
        public let unit: [Float]

        public init(entry: CacheEntry, unit: [Float]) {
            self.entry = entry
            self.unit = unit
        }
    }

    struct Group: Hashable {
        let scope: String
        let model: String
        let context: String
    }

    /// The most candidates a group holds in memory; the newest are kept.
    static let maximumCandidates = 20_000

    private let groups = Mutex<[Group: (version: Int?, candidates: [Candidate])]>([:])

    /// The candidates of `group` if they were loaded at `version`.
    func candidates(of group: Group, version: Int) -> [Candidate]? {
        groups.withLock { groups in
            guard let held = groups[group], held.version == version else { return nil }
            return held.candidates
        }
    }

    /// The most groups held; past it, the whole index is dropped and groups load again as they are used.
    static let maximumGroups = 10_000

    /// Replaces the candidates of `group`, loaded at `version`. Only what the search needs is held: the entry
    /// without its answer, which is read like an exact hit's when it wins.
    func load(_ entries: [CacheEntry], into group: Group, version: Int) {
        let candidates = entries.prefix(Self.maximumCandidates).compactMap { entry in
            entry.vector.flatMap(Self.unit).map { Candidate(entry: Self.withoutAnswer(entry), unit: $0) }
        }
        groups.withLock { groups in
            if groups.count >= Self.maximumGroups, groups[group] == nil { groups.removeAll() }
            groups[group] = (version, Array(candidates))
        }
    }

    private static func withoutAnswer(_ entry: CacheEntry) -> CacheEntry {
        var entry = entry
        entry.body = ByteBuffer()
        entry.vector = nil
        return entry
    }

    /// Adds an entry written here to its group, if the group is held (the next version check reloads it anyway).
    func add(_ entry: CacheEntry) {
        guard let context = entry.context, let unit = entry.vector.flatMap(Self.unit) else { return }
        let group = Group(scope: entry.scope, model: entry.model, context: context)
        groups.withLock { groups in
            guard var held = groups[group] else { return }
            held.candidates.removeAll { $0.entry.key == entry.key }
            held.candidates.insert(Candidate(entry: Self.withoutAnswer(entry), unit: unit), at: 0)
            if held.candidates.count > Self.maximumCandidates { held.candidates.removeLast() }
            groups[group] = held
        }
    }

    /// Forgets every group (after a purge).
    func removeAll() { groups.withLock { $0.removeAll() } }

    /// The candidate most similar to `vector`, with its similarity, among those not expired at `now`.
    public static func nearest(to vector: [Float], in candidates: [Candidate], now: Double) -> (Candidate, Double)? {
        guard let query = unit(vector) else { return nil }
        var best: (Candidate, Double)?
        for candidate in candidates where candidate.unit.count == query.count && candidate.entry.expiresAt.timeIntervalSince1970 > now {
            let similarity = Double(dot(query, candidate.unit))
            if similarity > (best?.1 ?? -2) { best = (candidate, similarity) }
        }
        return best
    }

    /// `vector` scaled to unit length; nil for an empty or zero vector, or one with a value that is not finite.
    public static func unit(_ vector: [Float]) -> [Float]? {
        guard !vector.isEmpty, vector.allSatisfy(\.isFinite) else { return nil }
        let length = dot(vector, vector).squareRoot()
        guard length > 0, length.isFinite else { return nil }
        return vector.map { $0 / length }
    }

    /// The dot product: eight lanes at a time from unaligned vector loads, in two running sums.
    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        let count = min(a.count, b.count)
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                var first = SIMD8<Float>(repeating: 0)
                var second = SIMD8<Float>(repeating: 0)
                let stride = MemoryLayout<Float>.stride
                var index = 0
                while index + 16 <= count {
                    let offset = index * stride
                    first += a.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * b.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    second += a.loadUnaligned(fromByteOffset: offset + 8 * stride, as: SIMD8<Float>.self)
                        * b.loadUnaligned(fromByteOffset: offset + 8 * stride, as: SIMD8<Float>.self)
                    index += 16
                }
                var total = (first + second).sum()
                while index < count {
                    total += a.load(fromByteOffset: index * stride, as: Float.self) * b.load(fromByteOffset: index * stride, as: Float.self)
                    index += 1
                }
                return total
            }
        }
    }
}
