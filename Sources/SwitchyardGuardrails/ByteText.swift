/// A text's UTF-8 bytes, read without trapping: a position outside the text reads as 0, a byte no rule accepts and
/// every rule treats as a boundary.
struct ByteText {
    let bytes: [UInt8]

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var count: Int { bytes.count }

    subscript(position: Int) -> UInt8 {
        position >= 0 && position < bytes.count ? bytes[position] : 0
    }

    /// Whether the byte at `position` is an ASCII letter or digit, which a match must not be glued to.
    func isWordByte(at position: Int) -> Bool {
        ASCIIByte.isAlphanumeric(self[position])
    }

    /// Whether a number starting at `start` stands on its own on the left: no letter or digit before it, and not
    /// the continuation of a hyphenated or dotted digit run (`12-` or `12.`).
    func isIsolatedStart(_ start: Int) -> Bool {
        let before = self[start - 1]
        if ASCIIByte.isAlphanumeric(before) { return false }
        if before == UInt8(ascii: "-") || before == UInt8(ascii: ".") {
            return !ASCIIByte.isDigit(self[start - 2])
        }
        return true
    }

    /// Whether a number ending at `end` stands on its own on the right: no letter or digit after it, and no
    /// hyphenated or dotted continuation (`-12` or `.12`).
    func isIsolatedEnd(_ end: Int) -> Bool {
        let after = self[end]
        if ASCIIByte.isAlphanumeric(after) { return false }
        if after == UInt8(ascii: "-") || after == UInt8(ascii: ".") {
            return !ASCIIByte.isDigit(self[end + 1])
        }
        return true
    }

    /// Where the run of bytes satisfying `predicate` that starts at `position` ends, looking at no more than
    /// `maxLength` bytes.
    func runEnd(from position: Int, maxLength: Int = .max, while predicate: (UInt8) -> Bool) -> Int {
        var end = max(position, 0)
        var length = 0
        while length < maxLength, end < bytes.count, predicate(bytes[end]) {
            end += 1
            length += 1
        }
        return end
    }

    /// Whether exactly `length` digits start at `position` (the byte after them is not a digit).
    func hasDigits(_ length: Int, at position: Int) -> Bool {
        runEnd(from: position, maxLength: length + 1, while: ASCIIByte.isDigit) - position == length
    }

    /// The decimal value of the `length` bytes at `position`, or nil when one is not a digit.
    func decimalValue(at position: Int, length: Int) -> Int? {
        var value = 0
        for offset in 0..<max(length, 0) {
            let byte = self[position + offset]
            guard ASCIIByte.isDigit(byte), value < Int.max / 20 else { return nil }
            value = value * 10 + ASCIIByte.digitValue(byte)
        }
        return value
    }

    /// Whether `literal` appears at `position`.
    func matches(_ literal: [UInt8], at position: Int) -> Bool {
        for (offset, byte) in literal.enumerated() where self[position + offset] != byte {
            return false
        }
        return !literal.isEmpty
    }

    /// The first position at or after `position` where `literal` appears.
    func firstPosition(of literal: [UInt8], from position: Int) -> Int? {
        guard let first = literal.first else { return nil }
        var candidate = max(position, 0)
        while candidate < bytes.count, bytes.count - candidate >= literal.count {
            if bytes[candidate] == first, matches(literal, at: candidate) { return candidate }
            candidate += 1
        }
        return nil
    }

    /// The bytes in `range`, clamped to the text.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        let lower = min(max(range.lowerBound, 0), bytes.count)
        let upper = min(max(range.upperBound, lower), bytes.count)
        return bytes[lower..<upper]
    }
}

/// The later of two match ends, either of which may be missing.
func furthest(_ first: Int?, _ second: Int?) -> Int? {
    guard let first else { return second }
    guard let second else { return first }
    return max(first, second)
}
