/// Finds a payment card number: 13 to 19 digits starting with an issuer's digit (2 to 6: Mastercard, Amex, Diners,
/// JCB, Visa, Discover, UnionPay, Maestro), in one run or in groups of 4 to 6 separated by single spaces or hyphens
/// (the same separator throughout), passing the Luhn check, not glued to a letter or digit. Millisecond timestamps
/// and most database ids start with 1 and are not taken for cards.
enum CardMatcher {
    static let minimumDigits = 13
    static let maximumDigits = 19

    static func match(in text: ByteText, at start: Int) -> Int? {
        guard (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(text[start]), !text.isWordByte(at: start - 1) else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(maximumDigits)
        var separator: UInt8?
        var position = start
        var best: Int?
        while true {
            let groupEnd = text.runEnd(from: position, maxLength: maximumDigits + 1, while: ASCIIByte.isDigit)
            let length = groupEnd - position
            let isFirstGroup = digits.isEmpty
            // A group is 4 to 6 digits, except a first group that is the whole number.
            guard length >= 4, isFirstGroup || length <= 6, digits.count + length <= maximumDigits else { break }
            for offset in position..<groupEnd { digits.append(text[offset]) }
            guard !text.isWordByte(at: groupEnd) else { break }
            if digits.count >= minimumDigits, passesLuhn(digits) { best = groupEnd }
            guard length <= 6 else { break }
            let next = text[groupEnd]
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "-"), ASCIIByte.isDigit(text[groupEnd + 1]) else { break }
            if let separator, separator != next { break }
            separator = next
            position = groupEnd + 1
        }
        return best
    }

    /// The Luhn check over ASCII digits; a number of zeros only does not pass.
    static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        var doubles = false
        var anyNonZero = false
        for byte in digits.reversed() {
            var value = ASCIIByte.digitValue(byte)
            if value != 0 { anyNonZero = true }
            if doubles {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            doubles.toggle()
        }
        return anyNonZero && sum % 10 == 0
    }
}
