/// Finds a telephone number: E.164 (`+` then 8 to 15 digits, in groups separated by single spaces, hyphens or dots,
/// a group possibly in parentheses), the North American forms `(NNN) NNN-NNNN`, `NNN-NNN-NNNN`, `NNN.NNN.NNNN` and
/// `NNN NNN NNNN` (optionally after `1-`), and 0-prefixed national forms of 10 or 11 digits in groups
/// (`030 1234567`, `020 7946 0958`). A run of digits without separators or `+` is not a phone, nor is a date.
enum PhoneMatcher {
    static func match(in text: ByteText, at start: Int) -> Int? {
        guard text.isIsolatedStart(start) else { return nil }
        let first = text[start]
        if first == UInt8(ascii: "+") { return international(in: text, at: start) }
        if first == UInt8(ascii: "(") { return parenthesized(in: text, at: start) }
        guard ASCIIByte.isDigit(first) else { return nil }
        return furthest(northAmerican(in: text, at: start), zeroPrefixed(in: text, at: start))
    }

    static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// `+` and 8 to 15 digits in groups; the longest such number that stands on its own.
    static func international(in text: ByteText, at start: Int) -> Int? {
        var position = start + 1
        var digitCount = 0
        var best: Int?
        var isFirstGroup = true
        while true {
            let opened = !isFirstGroup && text[position] == UInt8(ascii: "(")
            let digitsStart = opened ? position + 1 : position
            let digitsEnd = text.runEnd(from: digitsStart, maxLength: 16, while: ASCIIByte.isDigit)
            let length = digitsEnd - digitsStart
            guard length > 0, digitCount + length <= 15 else { break }
            digitCount += length
            var groupEnd = digitsEnd
            if opened {
                guard text[digitsEnd] == UInt8(ascii: ")") else { break }
                groupEnd = digitsEnd + 1
            } else {
                guard !text.isWordByte(at: groupEnd) else { break }
                if digitCount >= 8, text.isIsolatedEnd(groupEnd) { best = groupEnd }
            }
            isFirstGroup = false
            let next = text[groupEnd]
            let afterNext = text[groupEnd + 1]
            if isSeparator(next), ASCIIByte.isDigit(afterNext) || afterNext == UInt8(ascii: "(") {
                position = groupEnd + 1
            } else if opened, ASCIIByte.isDigit(next) {
                position = groupEnd
            } else {
                break
            }
        }
        return best
    }

    /// `(NNN) NNN-NNNN`, the space after `)` optional and the last separator a hyphen, dot or space.
    static func parenthesized(in text: ByteText, at start: Int) -> Int? {
        guard text.hasDigits(3, at: start + 1), text[start + 4] == UInt8(ascii: ")") else { return nil }
        var position = start + 5
        if text[position] == UInt8(ascii: " ") { position += 1 }
        guard text.hasDigits(3, at: position), isSeparator(text[position + 3]), text.hasDigits(4, at: position + 4) else { return nil }
        let end = position + 8
        return text.isIsolatedEnd(end) ? end : nil
    }

    /// `NNN-NNN-NNNN` with one separator throughout (hyphen, dot or space), optionally after a `1` country code.
    static func northAmerican(in text: ByteText, at start: Int) -> Int? {
        // `1-415-555-2671`: the country code, then the number with the same separator.
        if text[start] == UInt8(ascii: "1"), isSeparator(text[start + 1]),
            let end = threeThreeFour(in: text, at: start + 2, separator: text[start + 1])
        {
            return end
        }
        return threeThreeFour(in: text, at: start, separator: text[start + 3])
    }

    private static func threeThreeFour(in text: ByteText, at start: Int, separator: UInt8) -> Int? {
        guard isSeparator(separator),
            text.hasDigits(3, at: start), text[start + 3] == separator,
            text.hasDigits(3, at: start + 4), text[start + 7] == separator,
            text.hasDigits(4, at: start + 8)
        else { return nil }
        let end = start + 12
        return text.isIsolatedEnd(end) ? end : nil
    }

    /// A 0-prefixed national number: a first group of 2 to 5 digits, then groups of 2 to 8, separated by single
    /// spaces, hyphens or slashes (the same throughout), 10 or 11 digits in all.
    static func zeroPrefixed(in text: ByteText, at start: Int) -> Int? {
        guard text[start] == UInt8(ascii: "0") else { return nil }
        var position = start
        var digitCount = 0
        var groups = 0
        var separator: UInt8?
        var best: Int?
        while true {
            let groupEnd = text.runEnd(from: position, maxLength: 12, while: ASCIIByte.isDigit)
            let length = groupEnd - position
            let allowed = groups == 0 ? 2...5 : 2...8
            guard allowed.contains(length), digitCount + length <= 11 else { break }
            digitCount += length
            groups += 1
            guard !text.isWordByte(at: groupEnd) else { break }
            if groups >= 2, digitCount >= 10, text.isIsolatedEnd(groupEnd) { best = groupEnd }
            let next = text[groupEnd]
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "-") || next == UInt8(ascii: "/"),
                ASCIIByte.isDigit(text[groupEnd + 1])
            else { break }
            if let separator, separator != next { break }
            separator = next
            position = groupEnd + 1
        }
        return best
    }
}
