/// Finds an e-mail address around an `@`: a local part of `[A-Za-z0-9._%+-]` (and letters of alphabetic scripts
/// such as `ü`, `é` or `ж`) before it, and after it domain labels of `[A-Za-z0-9-]` separated by dots, the last one
/// (the top-level domain) of two or more letters.
enum EmailMatcher {
    static func isLocalPartByte(_ byte: UInt8) -> Bool {
        if ASCIIByte.isAlphanumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"): return true
        default: return false
        }
    }

    static func isDomainByte(_ byte: UInt8) -> Bool {
        ASCIIByte.isAlphanumeric(byte) || byte == UInt8(ascii: "-")
    }

    /// The address whose `@` is at `at`, given where the run of local-part bytes and non-ASCII characters before it
    /// starts (`LocalPartRun`).
    static func match(in text: ByteText, at: Int, runStart: Int?) -> Range<Int>? {
        guard text[at] == UInt8(ascii: "@"), let runStart, runStart < at else { return nil }
        var start = localPartStart(in: text, from: runStart, to: at)
        // The dots of a sentence before the address are not part of it.
        while start < at, text[start] == UInt8(ascii: ".") { start += 1 }
        guard start < at, let end = domainEnd(in: text, from: at + 1) else { return nil }
        return start..<end
    }

    /// Where the local part ending at `end` starts, reading the run from `runStart`: after the last character that
    /// cannot be in one (a non-ASCII character that is not a letter of an alphabetic script, as in CJK text written
    /// without spaces) and after the last `..` (an ellipsis).
    static func localPartStart(in text: ByteText, from runStart: Int, to end: Int) -> Int {
        var start = runStart
        var position = runStart
        while position < end {
            let byte = text[position]
            if byte < 0x80 {
                if byte == UInt8(ascii: "."), text[position + 1] == UInt8(ascii: ".") { start = position + 2 }
                position += 1
                continue
            }
            let characterEnd = min(position + UTF8Character.length(leadingWith: byte), end)
            if !isLocalPartLetter(UTF8Character.scalar(in: text, position..<characterEnd)) { start = characterEnd }
            position = characterEnd
        }
        return start
    }

    /// Whether a non-ASCII character may be in a local part: a letter of a script below U+2E80 (Latin, Greek,
    /// Cyrillic, Hebrew, Arabic, Indic …), not CJK or a symbol.
    static func isLocalPartLetter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.value < 0x2E80 && scalar.properties.isAlphabetic
    }

    /// Where the domain starting at `start` ends: after its last label, which must be a top-level domain.
    static func domainEnd(in text: ByteText, from start: Int) -> Int? {
        var position = start
        var labels = 0
        var end = start
        var endsWithTopLevelDomain = false
        while true {
            let labelEnd = text.runEnd(from: position, while: isDomainByte)
            guard labelEnd > position else { break }
            labels += 1
            end = labelEnd
            endsWithTopLevelDomain = labelEnd - position >= 2 && text.runEnd(from: position, while: ASCIIByte.isLetter) == labelEnd
            guard text[labelEnd] == UInt8(ascii: "."), isDomainByte(text[labelEnd + 1]) else { break }
            position = labelEnd + 1
        }
        guard labels >= 2, endsWithTopLevelDomain else { return nil }
        return end
    }
}
