import NIOCore

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
