import Foundation
import NIOCore
import Synchronization
public import SwitchyardCore

/// The vectors of cached answers, in memory per scope, model and request context, for an exact nearest-neighbour
/// search by cosine similarity. A group is loaded whole from the store on first use and whenever its scope's
/// version (which a purge moves) has changed; while it is held, the candidates other replicas stored since are read
/// and merged in once ``ResponseCache``'s revalidation interval has passed, so every replica searches what every
/// other one stored.
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

    /// What a lookup finds held for a group.
    enum Holding {
        /// Candidates loaded at the scope's current version and refreshed recently: search them.
        case current([Candidate])
        /// Candidates loaded at the current version but not refreshed for a while: merge in those created since
        /// `createdSince`, then search.
        case stale(createdSince: Date)
        /// Nothing held at the current version: load the group whole.
        case absent
    }

    private struct Held {
        var version: Int
        var candidates: [Candidate]
        /// When the group was last read from the store, on this replica's clocks.
        var refreshedAt: ContinuousClock.Instant
        var readAt: Date
        var loadedAt: ContinuousClock.Instant
    }

    /// The most candidates a group holds in memory; the newest are kept.
    static let maximumCandidates = 20_000

    /// The most groups held; past it, the whole index is dropped and groups load again as they are used.
    static let maximumGroups = 10_000

    /// How late an entry may reach the store after it was made and still be merged into other replicas' groups:
    /// the batch writer's delay plus any difference between replicas' clocks. An entry later than that is found
    /// at the group's next whole load.
    static let lateArrival: TimeInterval = 5

    /// How long a group is refreshed by merging before it is loaded whole again (which also drops entries
    /// replaced or deleted since).
    static let reloadAfter: Duration = .seconds(300)

    private let groups = Mutex<[Group: Held]>([:])

    /// What is held for `group` at `version`, given that a refresh is due once `refreshAfter` has passed.
    func holding(_ group: Group, version: Int, refreshAfter: Duration) -> Holding {
        let now = ContinuousClock.now
        return groups.withLock { groups in
            guard let held = groups[group], held.version == version, now - held.loadedAt < Self.reloadAfter else { return .absent }
            guard now - held.refreshedAt >= refreshAfter else { return .current(held.candidates) }
            return .stale(createdSince: held.readAt.addingTimeInterval(-Self.lateArrival))
        }
    }

    /// Replaces the candidates of `group` with `entries` (newest first), read from the store at `readAt` at
    /// `version`; returns them. Only what the search needs is held: the entry without its answer, which is read
    /// like an exact hit's when it wins.
    @discardableResult
    func load(_ entries: [CacheEntry], into group: Group, version: Int, readAt: Date) -> [Candidate] {
        let candidates = Array(entries.lazy.compactMap(Self.candidate).prefix(Self.maximumCandidates))
        let now = ContinuousClock.now
        groups.withLock { groups in
            if groups.count >= Self.maximumGroups, groups[group] == nil { groups.removeAll() }
            groups[group] = Held(version: version, candidates: candidates, refreshedAt: now, readAt: readAt, loadedAt: now)
        }
        return candidates
    }

    /// Merges `entries` (newest first, read from the store at `readAt`) into `group` when it is still held at
    /// `version`, replacing candidates with the same key; returns the group's candidates after.
    func merge(_ entries: [CacheEntry], into group: Group, version: Int, readAt: Date) -> [Candidate] {
        let fresh = entries.compactMap(Self.candidate)
        let now = ContinuousClock.now
        return groups.withLock { groups in
            guard var held = groups[group], held.version == version else { return fresh }
            let keys = Set(fresh.map(\.entry.key))
            held.candidates.removeAll { keys.contains($0.entry.key) }
            held.candidates.insert(contentsOf: fresh, at: 0)
            if held.candidates.count > Self.maximumCandidates { held.candidates.removeLast(held.candidates.count - Self.maximumCandidates) }
            held.refreshedAt = now
            held.readAt = max(held.readAt, readAt)
            groups[group] = held
            return held.candidates
        }
    }

    private static func candidate(_ entry: CacheEntry) -> Candidate? {
        entry.vector.flatMap(unit).map { Candidate(entry: withoutAnswer(entry), unit: $0) }
    }

    private static func withoutAnswer(_ entry: CacheEntry) -> CacheEntry {
        var entry = entry
        entry.body = ByteBuffer()
        entry.vector = nil
        return entry
    }

    /// Adds an entry written here to its group, if the group is held.
    func add(_ entry: CacheEntry) {
        guard let context = entry.context, let candidate = Self.candidate(entry) else { return }
        let group = Group(scope: entry.scope, model: entry.model, context: context)
        groups.withLock { groups in
            guard var held = groups[group] else { return }
            held.candidates.removeAll { $0.entry.key == entry.key }
            held.candidates.insert(candidate, at: 0)
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
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in dot(a, b, count: min(a.count, b.count) / MemoryLayout<Float>.stride) } }
    }

    /// The dot product of the first `count` floats of `a` and `b`.
    static func dot(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, count: Int) -> Float {
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
            total += a.loadUnaligned(fromByteOffset: index * stride, as: Float.self) * b.loadUnaligned(fromByteOffset: index * stride, as: Float.self)
            index += 1
        }
        return total
    }
}
