/// Finds an IBAN: a two-letter country code, two check digits and 11 to 30 letters and digits, in one run or in
/// groups of four separated by single spaces (the last group may be shorter), passing the ISO 13616 mod-97 check.
/// Lowercase letters count as their uppercase.
enum IBANMatcher {
    static let minimumBBAN = 11
    static let maximumBBAN = 30

    static func match(in text: ByteText, at start: Int) -> Int? {
        guard !text.isWordByte(at: start - 1),
            ASCIIByte.isLetter(text[start]), ASCIIByte.isLetter(text[start + 1]),
            ASCIIByte.isDigit(text[start + 2]), ASCIIByte.isDigit(text[start + 3])
        else { return nil }
        var checksum = Mod97()
        var length = 0
        var hasDigit = false
        var best: Int?
        /// Folds the account part's bytes in `range`; whether it may continue (at most 30 of them).
        func take(_ range: Range<Int>) -> Bool {
            guard length + range.count <= maximumBBAN else { return false }
            for position in range {
                let byte = text[position]
                if ASCIIByte.isDigit(byte) { hasDigit = true }
                checksum.fold(byte)
            }
            length += range.count
            return true
        }
        /// Whether the IBAN read so far is valid.
        func isValid() -> Bool {
            guard length >= minimumBBAN, hasDigit else { return false }
            var whole = checksum
            for offset in 0..<4 { whole.fold(text[start + offset]) }
            return whole.remainder == 1
        }
        var position = start + 4
        if text[position] == UInt8(ascii: " ") {
            // Grouped: `GB82 WEST 1234 5698 7654 32`.
            while text[position] == UInt8(ascii: " "), ASCIIByte.isAlphanumeric(text[position + 1]) {
                let groupStart = position + 1
                let groupEnd = text.runEnd(from: groupStart, maxLength: 5, while: ASCIIByte.isAlphanumeric)
                guard groupEnd - groupStart <= 4, take(groupStart..<groupEnd) else { break }
                if isValid() { best = groupEnd }
                guard groupEnd - groupStart == 4 else { break }
                position = groupEnd
            }
        } else {
            let end = text.runEnd(from: position, maxLength: maximumBBAN + 1, while: ASCIIByte.isAlphanumeric)
            if take(position..<end), isValid() { best = end }
        }
        return best
    }
}

/// The ISO 7064 mod-97 remainder of a string of letters (A = 10 … Z = 35) and digits, folded one character at a
/// time so that no big integer is needed.
struct Mod97 {
    private(set) var remainder = 0

    mutating func fold(_ byte: UInt8) {
        if ASCIIByte.isDigit(byte) {
            remainder = (remainder * 10 + ASCIIByte.digitValue(byte)) % 97
        } else if ASCIIByte.isLetter(byte) {
            let value = Int(ASCIIByte.uppercased(byte) - UInt8(ascii: "A")) + 10
            remainder = (remainder * 100 + value) % 97
        }
    }
}
