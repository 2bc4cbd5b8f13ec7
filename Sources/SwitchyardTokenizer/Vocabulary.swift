import Foundation

/// A tiktoken vocabulary: the rank of every token, looked up by the token's bytes.
///
/// "Rank of this byte sequence" is the hot operation of encoding, so lookups neither allocate nor use SipHash:
/// one- and two-byte sequences (every first step of a merge) are read from direct tables, longer ones from an
/// open-addressing hash table with linear probing. Each slot packs a 32-bit hash tag with an entry index, so a probe
/// touches token bytes only when the tags agree; the tokens' bytes live in one contiguous arena.
struct Vocabulary: Sendable {
    /// The rank that stands for "not a token".
    static let noRank = UInt32.max

    /// Each entry's rank, in file order.
    private let ranks: [UInt32]
    /// Entry `e`'s bytes are `arena[starts[e] ..< starts[e + 1]]`.
    private let starts: [Int]
    private let arena: [UInt8]
    /// 0 for an empty slot, else `tag << 32 | (entry + 1)`, the tag being the high half of the bytes' hash.
    private let slots: [UInt64]
    private let slotMask: Int
    /// The rank of each single byte.
    private let byteRanks: [UInt32]
    /// The rank of each two-byte sequence, indexed by `first << 8 | second`, or `noRank`.
    private let pairRanks: [UInt32]

    /// The number of tokens.
    var count: Int { ranks.count }

    /// Parses a `.tiktoken` file: one `base64(token bytes) rank` per line; blank lines are skipped, and a token listed
    /// twice keeps its last rank, as in tiktoken's `load_tiktoken_bpe`.
    static func parse(_ data: Data) throws -> Vocabulary {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in try parse(contentsOf: raw) }
    }

    /// Parses the bytes of a `.tiktoken` file.
    static func parse(contentsOf text: UnsafeRawBufferPointer) throws -> Vocabulary {
        let decoding = base64DecodingTable()
        var arena: [UInt8] = []
        arena.reserveCapacity(text.count / 2)
        var starts: [Int] = [0]
        var ranks: [UInt32] = []
        let end = text.count
        var lineStart = 0
        var line = 0
        while lineStart < end {
            line &+= 1
            var lineEnd = lineStart
            while lineEnd < end && text[lineEnd] != 0x0A { lineEnd &+= 1 }
            defer { lineStart = lineEnd &+ 1 }
            var contentEnd = lineEnd
            while contentEnd > lineStart && isBlank(text[contentEnd &- 1]) { contentEnd &-= 1 }
            var index = lineStart
            while index < contentEnd && isBlank(text[index]) { index &+= 1 }
            if index == contentEnd { continue }

            let tokenStart = index
            while index < contentEnd && !isBlank(text[index]) { index &+= 1 }
            let tokenEnd = index
            while index < contentEnd && isBlank(text[index]) { index &+= 1 }
            guard index < contentEnd else { throw TokenizerError.malformedVocabulary(line: line, reason: "no rank") }
            var rank: UInt32 = 0
            while index < contentEnd {
                let digit = text[index] &- 0x30
                guard digit < 10 else { throw TokenizerError.malformedVocabulary(line: line, reason: "the rank is not a decimal number") }
                let (shifted, overflowed) = rank.multipliedReportingOverflow(by: 10)
                let (sum, carried) = shifted.addingReportingOverflow(UInt32(digit))
                guard !overflowed, !carried, sum != noRank else {
                    throw TokenizerError.malformedVocabulary(line: line, reason: "the rank is too large")
                }
                rank = sum
                index &+= 1
            }
            let before = arena.count
            guard decodeBase64(text, from: tokenStart, to: tokenEnd, table: decoding, into: &arena) else {
                throw TokenizerError.malformedVocabulary(line: line, reason: "the token is not base64")
            }
            guard arena.count > before else { throw TokenizerError.malformedVocabulary(line: line, reason: "the token is empty") }
            starts.append(arena.count)
            ranks.append(rank)
        }
        return try Vocabulary(ranks: ranks, starts: starts, arena: arena)
    }

    private init(ranks: [UInt32], starts: [Int], arena: [UInt8]) throws {
        guard !ranks.isEmpty else { throw TokenizerError.incompleteVocabulary(reason: "no tokens") }
        guard ranks.count < Int(UInt32.max) else { throw TokenizerError.incompleteVocabulary(reason: "too many tokens") }
        var byteRanks = [UInt32](repeating: Self.noRank, count: 256)
        var pairRanks = [UInt32](repeating: Self.noRank, count: 1 << 16)
        // At most half full, so probes stay short and always reach an empty slot.
        var capacity = 16
        while capacity < ranks.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [UInt64](repeating: 0, count: capacity)
        arena.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            for entry in 0..<ranks.count {
                let start = starts[entry]
                let length = starts[entry + 1] - start
                let token = base + start
                if length == 1 {
                    byteRanks[Int(token[0])] = ranks[entry]
                } else if length == 2 {
                    pairRanks[Int(token[0]) << 8 | Int(token[1])] = ranks[entry]
                }
                let hash = Self.hash(token, length)
                let tag = hash >> 32
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let current = slots[slot]
                    if current == 0 {
                        slots[slot] = tag << 32 | UInt64(entry + 1)
                        break
                    }
                    if current >> 32 == tag {
                        let other = Int(truncatingIfNeeded: current & 0xFFFF_FFFF) - 1
                        let otherStart = starts[other]
                        if starts[other + 1] - otherStart == length && Self.equal(base + otherStart, token, length) {
                            // Listed twice: the later rank wins, as in a Python dict.
                            slots[slot] = tag << 32 | UInt64(entry + 1)
                            break
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        guard !byteRanks.contains(Self.noRank) else {
            throw TokenizerError.incompleteVocabulary(reason: "not every single byte is a token")
        }
        self.ranks = ranks
        self.starts = starts
        self.arena = arena
        self.slots = slots
        self.slotMask = mask
        self.byteRanks = byteRanks
        self.pairRanks = pairRanks
    }

    /// The rank of the token made of the `count` bytes at `bytes`, or `noRank` if they are not a token.
    @inline(__always)
    func rank(of bytes: UnsafePointer<UInt8>, count: Int) -> UInt32 {
        if count == 2 { return pairRanks[Int(bytes[0]) << 8 | Int(bytes[1])] }
        if count == 1 { return byteRanks[Int(bytes[0])] }
        if count <= 0 { return Self.noRank }
        let hash = Self.hash(bytes, count)
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        return arena.withUnsafeBufferPointer { arenaBytes -> UInt32 in
            guard let base = arenaBytes.baseAddress else { return Self.noRank }
            for _ in 0...slotMask {
                let current = slots[slot]
                if current == 0 { return Self.noRank }
                if current >> 32 == tag {
                    let entry = Int(truncatingIfNeeded: current & 0xFFFF_FFFF) &- 1
                    let start = starts[entry]
                    if starts[entry &+ 1] &- start == count && Self.equal(base + start, bytes, count) { return ranks[entry] }
                }
                slot = (slot &+ 1) & slotMask
            }
            return Self.noRank
        }
    }

    /// The rank of the two-byte token `first second`, or `noRank`.
    @inline(__always)
    func pairRank(_ first: UInt8, _ second: UInt8) -> UInt32 {
        pairRanks[Int(first) << 8 | Int(second)]
    }

    /// The rank of the single-byte token `byte` (every byte is one).
    @inline(__always)
    func byteRank(_ byte: UInt8) -> UInt32 {
        byteRanks[Int(byte)]
    }

    /// A 64-bit hash of `count` bytes (wyhash-like mixing of 8-byte words): cheap for the short sequences BPE asks about.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(bytes)
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var index = 0
        while index &+ 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash &>> 29
            index &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) &<< shift
            shift &+= 8
            index &+= 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        hash ^= hash &>> 32
        hash = hash &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash &>> 29
        return hash
    }

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        while index < count {
            if a[index] != b[index] { return false }
            index &+= 1
        }
        return true
    }

    @inline(__always)
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    private static func base64DecodingTable() -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }

    /// Appends the bytes that the standard base64 in `text[from ..< to]` encodes (padding optional); false if it is
    /// not base64.
    private static func decodeBase64(
        _ text: UnsafeRawBufferPointer, from: Int, to: Int, table: [UInt8], into arena: inout [UInt8]
    ) -> Bool {
        var accumulator: UInt32 = 0
        var bits: UInt32 = 0
        var index = from
        while index < to {
            let byte = text[index]
            if byte == 0x3D { break }
            let value = table[Int(byte)]
            guard value < 64 else { return false }
            accumulator = accumulator &<< 6 | UInt32(value)
            bits &+= 6
            if bits >= 8 {
                bits &-= 8
                arena.append(UInt8(truncatingIfNeeded: accumulator &>> bits))
                accumulator &= (1 &<< bits) &- 1
            }
            index &+= 1
        }
        while index < to {
            guard text[index] == 0x3D else { return false }
            index &+= 1
        }
        return true
    }
}
