/// Reads a JSON document into a `JSONValue` in one pass over its bytes (Foundation's `JSONDecoder` through `Codable`
/// costs several times more), as it reads them: a number whose value is a whole number that fits `Int64` is
/// `.integer` (`2.5e3` too), any other `.number`; of repeated keys the first wins. Refused: anything but one JSON value (white space around it aside),
/// nesting deeper than 512, and strings holding a lone surrogate escape or invalid UTF-8, as `JSONDecoder` refuses
/// them.
struct JSONValueParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    static let maximumDepth = 512

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The document's value.
    /// - Throws: `JSONSyntaxError` at the first byte that does not fit.
    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw fail("the end of the document") }
        return value
    }

    private func fail(_ expected: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, expected: expected) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw fail("a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw fail("a value")
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting at most \(Self.maximumDepth) deep") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("a member name") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("':'") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            if members[key] == nil { members[key] = value }
            skipWhitespace()
            guard position < bytes.count else { throw fail("',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw fail("',' or '}'") }
            position += 1
            return .object(members)
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw fail("',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw fail("',' or ']'") }
            position += 1
            return .array(items)
        }
    }

    /// A string starting at its opening quote.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw fail("no control character inside a string") }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                guard position < bytes.count else { break }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < bytes.count, (1...4).allSatisfy({ Self.isHexDigit(bytes[position + $0]) }) else {
                        throw fail("four hexadecimal digits")
                    }
                    position += 5
                default:
                    throw fail("a valid escape")
                }
                continue
            }
            position += 1
        }
        guard position < bytes.count else { throw fail("the end of the string") }
        let end = position
        position += 1
        let contents = bytes[start..<end]
        if !escaped {
            guard let text = String(validating: contents, as: UTF8.self) else { throw JSONSyntaxError(offset: start, expected: "UTF-8 text") }
            return text
        }
        guard Self.surrogatesArePaired(contents) else { throw JSONSyntaxError(offset: start, expected: "paired surrogate escapes") }
        guard String(validating: contents, as: UTF8.self) != nil else { throw JSONSyntaxError(offset: start, expected: "UTF-8 text") }
        return contents.withUnsafeBytes { JSONString.unescape($0) }
    }

    /// Whether every `\uD800`–`\uDBFF` escape is followed by a `\uDC00`–`\uDFFF` one, and no low one stands alone.
    private static func surrogatesArePaired(_ contents: ArraySlice<UInt8>) -> Bool {
        var index = contents.startIndex
        var expectingLow = false
        while index < contents.endIndex {
            guard contents[index] == UInt8(ascii: "\\"), index + 1 < contents.endIndex else {
                if expectingLow { return false }
                index += 1
                continue
            }
            let kind = contents[index + 1]
            guard kind == UInt8(ascii: "u"), index + 5 < contents.endIndex else {
                if expectingLow { return false }
                index += 2
                continue
            }
            var value: UInt32 = 0
            for offset in 2...5 { value = value << 4 | UInt32(hexValue(contents[index + offset])) }
            let isHigh = (0xD800...0xDBFF).contains(value)
            let isLow = (0xDC00...0xDFFF).contains(value)
            if expectingLow {
                guard isLow else { return false }
                expectingLow = false
            } else if isLow {
                return false
            } else if isHigh {
                expectingLow = true
            }
            index += 6
        }
        return !expectingLow
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, Self.isDigit(bytes[position]) else { throw fail("a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw fail("a digit after '.'") }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw fail("a digit in the exponent") }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else { throw JSONSyntaxError(offset: start, expected: "a number that fits a double") }
        if number.rounded() == number, number >= -9_223_372_036_854_775_808, number < 9_223_372_036_854_775_808 { return .integer(Int64(number)) }
        return .number(number)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("\(literal)") }
        let matches = literal.withUTF8Buffer { expected in (0..<count).allSatisfy { bytes[position + $0] == expected[$0] } }
        guard matches else { throw fail("\(literal)") }
        position += count
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: 0
        }
    }
}
