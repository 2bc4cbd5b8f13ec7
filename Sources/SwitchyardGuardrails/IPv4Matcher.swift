/// Finds an IPv4 address: four decimal octets of 0–255 without leading zeros, separated by dots, not part of a
/// longer dotted or digit run (so `1.2.3.4.5` is a version string, not an address).
enum IPv4Matcher {
    static func match(in text: ByteText, at start: Int) -> Int? {
        guard text.isIsolatedStart(start), let end = dottedQuadEnd(in: text, at: start), text.isIsolatedEnd(end) else { return nil }
        return end
    }

    /// Where the four octets starting at `start` end, whatever surrounds them.
    static func dottedQuadEnd(in text: ByteText, at start: Int) -> Int? {
        var position = start
        for octet in 0..<4 {
            if octet > 0 {
                guard text[position] == UInt8(ascii: ".") else { return nil }
                position += 1
            }
            guard let end = octetEnd(in: text, at: position) else { return nil }
            position = end
        }
        return position
    }

    private static func octetEnd(in text: ByteText, at start: Int) -> Int? {
        let end = text.runEnd(from: start, maxLength: 4, while: ASCIIByte.isDigit)
        let length = end - start
        guard (1...3).contains(length), length == 1 || text[start] != UInt8(ascii: "0"),
            let value = text.decimalValue(at: start, length: length), value <= 255
        else { return nil }
        return end
    }
}
