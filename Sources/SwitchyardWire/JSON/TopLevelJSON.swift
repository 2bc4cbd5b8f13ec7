import NIOCore

/// The kind of a JSON value, as found by ``TopLevelJSON``.
public enum JSONValueKind: Sendable, Equatable {
    case object, array, string, number, bool, null

    /// The name used in error messages ("a string", "an array", ...).
    public var article: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

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

/// Malformed JSON, with the byte offset where scanning stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let expected: String

    public var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
}

/// A recursive-descent validator over raw bytes. Only the root object's members are recorded.
struct JSONByteScanner {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    var position = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func scanDocument() throws(JSONSyntaxError) -> (JSONValueKind, Int, [Member]) {
        skipWhitespace()
        let start = position
        var members: [TopLevelJSON.Member] = []
        let kind: JSONValueKind
        if peek() == UInt8(ascii: "{") {
            kind = .object
            members.reserveCapacity(16)
            try scanObject(recordingInto: &members)
        } else {
            (kind, _) = try scanValue()
        }
        skipWhitespace()
        guard position == bytes.count else { throw fail("end of document") }
        return (kind, start, members)
    }

    typealias Member = TopLevelJSON.Member

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func fail(_ expected: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, expected: expected) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Scans one value; returns its kind and whether it is an empty container.
    private mutating func scanValue() throws(JSONSyntaxError) -> (JSONValueKind, Bool) {
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "{"):
            var ignored: [Member]? = nil
            let empty = try scanObject(recordingInto: &ignored)
            return (.object, empty)
        case UInt8(ascii: "["):
            return (.array, try scanArray())
        case UInt8(ascii: "\""):
            _ = try scanString()
            return (.string, false)
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return (.bool, false)
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return (.bool, false)
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return (.null, false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            return (.number, false)
        default:
            throw fail("a value")
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= maximumDepth else { throw fail("at most \(maximumDepth) levels of nesting") }
    }

    @discardableResult
    private mutating func scanObject(recordingInto members: inout [Member]) throws(JSONSyntaxError) -> Bool {
        var optional: [Member]? = members
        defer { members = optional ?? [] }
        return try scanObject(recordingInto: &optional)
    }

    /// Scans an object; records its members when `members` is non-nil. Returns whether it was empty.
    private mutating func scanObject(recordingInto members: inout [Member]?) throws(JSONSyntaxError) -> Bool {
        try enter()
        defer { depth -= 1 }
        position += 1  // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return true
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("a string key") }
            let keyStart = position + 1
            let keyHasEscapes = try scanString()
            let keyRange = keyStart..<(position - 1)
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw fail("':' after a key") }
            position += 1
            skipWhitespace()
            let valueStart = position
            let (kind, empty) = try scanValue()
            if members != nil {
                members!.append(
                    Member(
                        keyRange: keyRange, valueRange: valueStart..<position, kind: kind,
                        keyHasEscapes: keyHasEscapes, isEmptyContainer: empty))
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return false
            default: throw fail("',' or '}'")
            }
        }
    }

    private mutating func scanArray() throws(JSONSyntaxError) -> Bool {
        try enter()
        defer { depth -= 1 }
        position += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return true
        }
        while true {
            skipWhitespace()
            _ = try scanValue()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return false
            default: throw fail("',' or ']'")
            }
        }
    }

    /// Scans a string starting at its opening quote; returns whether it contains escapes.
    private mutating func scanString() throws(JSONSyntaxError) -> Bool {
        position += 1  // "
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return hasEscapes
            case UInt8(ascii: "\\"):
                hasEscapes = true
                position += 1
                guard let escaped = peek() else { throw fail("an escape sequence") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard let hex = peek(), hex.isHexDigit else { throw fail("four hex digits after \\u") }
                        position += 1
                    }
                default:
                    throw fail("a valid escape sequence")
                }
            case 0x00..<0x20:
                throw fail("no control character inside a string")
            default:
                position += 1
            }
        }
        throw fail("'\"' to close the string")
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard position + count <= bytes.count, bytes[position..<(position + count)].elementsEqual(expected) else {
            throw fail("'\(literal)'")
        }
        position += count
    }

    private mutating func scanNumber() throws(JSONSyntaxError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first.isDigit else { throw fail("a digit") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let digit = peek(), digit.isDigit { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek(), digit.isDigit else { throw fail("a digit after '.'") }
            while let digit = peek(), digit.isDigit { position += 1 }
        }
        if let exponent = peek(), exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), digit.isDigit else { throw fail("a digit in the exponent") }
            while let digit = peek(), digit.isDigit { position += 1 }
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
