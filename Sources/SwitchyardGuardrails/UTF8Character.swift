/// Decoding one multi-byte UTF-8 character of a `ByteText`, without allocating.
enum UTF8Character {
    /// How many bytes the character whose first byte is `lead` takes (1 for a byte that cannot lead one).
    static func length(leadingWith lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xF7: return 4
        case 0xE0...0xEF: return 3
        case 0xC0...0xDF: return 2
        default: return 1
        }
    }

    /// The scalar the bytes in `range` encode, or nil when they are not one well-formed character.
    static func scalar(in text: ByteText, _ range: Range<Int>) -> Unicode.Scalar? {
        let lead = text[range.lowerBound]
        guard range.count == length(leadingWith: lead), range.count > 1 else { return nil }
        var value = UInt32(lead & (0xFF >> (range.count + 1)))
        for position in (range.lowerBound + 1)..<range.upperBound {
            let byte = text[position]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return Unicode.Scalar(value)
    }
}
