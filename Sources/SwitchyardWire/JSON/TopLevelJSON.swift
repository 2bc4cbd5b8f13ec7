public import NIOCore

/// A JSON document that was validated in one pass and whose top-level object members were located,
/// without building any value tree.
///
/// The gateway's hot path needs only a few top-level fields (`model`, `stream`, `messages`) and must keep every
/// other byte of the body as the client sent it. Validating and locating costs well under a microsecond per
/// kilobyte, against tens of microseconds for a Codable decode.
public struct TopLevelJSON: Sendable {
    /// One `"key": value` member of the top-level object, as byte offsets into the scanned buffer
    /// (relative to its reader index).
    public struct Member: Sendable, Equatable {
        /// The bytes of the key between its quotes, still escaped.
        public let keyRange: Range<Int>
        /// The bytes of the value, from its first to its last byte.
        public let valueRange: Range<Int>
        public let kind: JSONValueKind
        /// Whether the key contains an escape sequence (then it is compared after unescaping).
        let keyHasEscapes: Bool
        /// For arrays and objects: whether they hold no element.
        public let isEmptyContainer: Bool
    }

    /// The scanned bytes.
    public let buffer: ByteBuffer
    /// The top-level members in document order; empty when the document is not an object.
    public let members: [Member]
    /// The kind of the top-level value.
    public let rootKind: JSONValueKind
    /// The offset of the root object's opening brace.
    public let rootStart: Int

    /// Validates `buffer` as one JSON document (RFC 8259) and locates the members of its top-level object.
    /// - Throws: ``JSONSyntaxError`` naming the byte offset and what was expected.
    public init(scanning buffer: ByteBuffer, maximumDepth: Int = 256) throws(JSONSyntaxError) {
        self.buffer = buffer
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<(JSONValueKind, Int, [Member]), JSONSyntaxError> in
            var scanner = JSONByteScanner(bytes: bytes, maximumDepth: maximumDepth)
            return Result { () throws(JSONSyntaxError) in try scanner.scanDocument() }
        }
        switch result {
        case .success(let (kind, start, members)):
            self.rootKind = kind
            self.rootStart = start
            self.members = members
        case .failure(let error):
            throw error
        }
    }

    /// Whether `buffer` could hold a member named `key` (ASCII): false only when `"key"` appears nowhere in it and
    /// no `\u` escape could spell it. It reads the bytes once and records nothing, so it costs a fraction of a scan;
    /// a document it lets through still needs ``init(scanning:maximumDepth:)``.
    public static func mightHaveMember(_ key: StaticString, in buffer: ByteBuffer) -> Bool {
        let wanted = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        return buffer.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index]
                if byte == quote, index + wanted.count + 1 < count, bytes[index + wanted.count + 1] == quote,
                    bytes[(index + 1)...(index + wanted.count)].elementsEqual(wanted)
                {
                    return true
                }
                if byte == backslash, index + 1 < count, bytes[index + 1] == UInt8(ascii: "u") { return true }
                index += 1
            }
            return false
        }
    }

    /// The member named `key`, if the top-level object has one (the last one wins, as in most parsers).
    public func member(_ key: String) -> Member? {
        var found: Member?
        var key = key
        key.withUTF8 { wanted in
            buffer.withUnsafeReadableBytes { bytes in
                for member in members {
                    if member.keyHasEscapes {
                        if JSONString.unescape(UnsafeRawBufferPointer(rebasing: bytes[member.keyRange])) == String(decoding: wanted, as: UTF8.self) {
                            found = member
                        }
                    } else if bytes[member.keyRange].elementsEqual(wanted) {
                        found = member
                    }
                }
            }
        }
        return found
    }

    /// The unescaped text of a string member.
    public func string(_ member: Member) -> String? {
        guard member.kind == .string else { return nil }
        return buffer.withUnsafeReadableBytes { bytes in
            JSONString.unescape(UnsafeRawBufferPointer(rebasing: bytes[(member.valueRange.lowerBound + 1)..<(member.valueRange.upperBound - 1)]))
        }
    }

    /// The value of a boolean member.
    public func bool(_ member: Member) -> Bool? {
        guard member.kind == .bool else { return nil }
        return buffer.withUnsafeReadableBytes { $0[member.valueRange.lowerBound] == UInt8(ascii: "t") }
    }

    /// The value of a number member that is a whole number (`12`, `12.0`, `1.2e1`).
    public func integer(_ member: Member) -> Int? {
        guard member.kind == .number else { return nil }
        return buffer.withUnsafeReadableBytes { bytes -> Int? in
            let digits = bytes[member.valueRange]
            var value = 0
            var negative = false
            for (index, byte) in digits.enumerated() {
                if index == 0 && byte == UInt8(ascii: "-") {
                    negative = true
                    continue
                }
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), value < Int.max / 10 - 9 else {
                    // A fraction or an exponent: rare in counts, so the general parser handles it.
                    return Double(String(decoding: digits, as: UTF8.self)).flatMap { Int(exactly: $0) }
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return negative ? -value : value
        }
    }

    /// The members of an object member, scanned like a top-level document.
    public func object(_ member: Member) -> TopLevelJSON? {
        guard member.kind == .object else { return nil }
        return try? TopLevelJSON(scanning: slice(member))
    }

    /// The raw bytes of a member's value.
    public func slice(_ member: Member) -> ByteBuffer {
        buffer.getSlice(at: buffer.readerIndex + member.valueRange.lowerBound, length: member.valueRange.count)!
    }
}
