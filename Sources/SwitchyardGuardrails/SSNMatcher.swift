/// Finds a US social security number, `AAA-GG-SSSS`: the area not 000, 666 or 900–999, the group not 00, the serial
/// not 0000, and the whole not part of a longer run of digits and hyphens.
enum SSNMatcher {
    static func match(in text: ByteText, at start: Int) -> Int? {
        guard text.isIsolatedStart(start),
            text.hasDigits(3, at: start), text[start + 3] == UInt8(ascii: "-"),
            text.hasDigits(2, at: start + 4), text[start + 6] == UInt8(ascii: "-"),
            text.hasDigits(4, at: start + 7)
        else { return nil }
        let end = start + 11
        guard text.isIsolatedEnd(end),
            let area = text.decimalValue(at: start, length: 3),
            let group = text.decimalValue(at: start + 4, length: 2),
            let serial = text.decimalValue(at: start + 7, length: 4),
            area != 0, area != 666, area < 900, group != 0, serial != 0
        else { return nil }
        return end
    }
}
