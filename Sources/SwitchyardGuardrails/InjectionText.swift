/// A text as the injection scorer reads it, made in one pass over its Unicode scalars: invisible characters dropped
/// (and counted), Cyrillic, Greek and full-width look-alikes of Latin letters folded to ASCII, everything lowercased,
/// each run of white space one space (one newline if it holds a line break).
struct InjectionText {
    /// The normalised scalars.
    let scalars: [Unicode.Scalar]
    /// Parallel to `scalars`: whether each was an uppercase letter before lowercasing.
    let uppercase: [Bool]
    /// Unicode tag characters (U+E0000–U+E007F).
    let tagCharacters: Int
    /// Zero-width characters between two Latin letters (after folding).
    let zeroWidthInWords: Int
    /// Bidirectional embedding, override and isolate controls.
    let bidiControls: Int
    /// Words holding both ASCII letters and folded look-alikes.
    let mixedScriptWords: Int

    init(_ text: String) {
        var scalars: [Unicode.Scalar] = []
        var uppercase: [Bool] = []
        var tagCharacters = 0
        var zeroWidthInWords = 0
        var bidiControls = 0
        var mixedScriptWords = 0

        var pendingZeroWidth = 0
        var pendingSpace = false
        var pendingNewline = false
        var lastWasLatinLetter = false
        var wordHasASCII = false
        var wordHasFolded = false

        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value >= 0xE0000 && value <= 0xE007F {
                tagCharacters += 1
                continue
            }
            if Self.isZeroWidth(value) {
                pendingZeroWidth += 1
                continue
            }
            if Self.isSilent(value) { continue }
            if (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069) {
                bidiControls += 1
                continue
            }
            if ScalarFolding.isSpace(scalar) {
                pendingSpace = true
                if Self.isNewline(value) { pendingNewline = true }
                if wordHasASCII && wordHasFolded { mixedScriptWords += 1 }
                wordHasASCII = false
                wordHasFolded = false
                pendingZeroWidth = 0
                lastWasLatinLetter = false
                continue
            }

            let folded = Self.homoglyph(value)
            let source = folded ?? scalar
            let mapped = Self.lowercased(source)
            if pendingSpace {
                if !scalars.isEmpty {
                    scalars.append(pendingNewline ? Self.newline : Self.space)
                    uppercase.append(false)
                }
                pendingSpace = false
                pendingNewline = false
            }
            let isLatinLetter = Self.isASCIILetter(mapped)
            if pendingZeroWidth > 0 && lastWasLatinLetter && isLatinLetter {
                zeroWidthInWords += pendingZeroWidth
            }
            pendingZeroWidth = 0
            lastWasLatinLetter = isLatinLetter
            if ScalarFolding.isWordCharacter(mapped) {
                if folded != nil {
                    wordHasFolded = true
                } else if Self.isASCIILetter(scalar) {
                    wordHasASCII = true
                }
            } else {
                if wordHasASCII && wordHasFolded { mixedScriptWords += 1 }
                wordHasASCII = false
                wordHasFolded = false
            }
            scalars.append(mapped)
            uppercase.append(mapped != source)
        }
        if wordHasASCII && wordHasFolded { mixedScriptWords += 1 }

        self.scalars = scalars
        self.uppercase = uppercase
        self.tagCharacters = tagCharacters
        self.zeroWidthInWords = zeroWidthInWords
        self.bidiControls = bidiControls
        self.mixedScriptWords = mixedScriptWords
    }

    static let space: Unicode.Scalar = " "
    static let newline: Unicode.Scalar = "\n"

    /// Zero-width space, non-joiner and joiner, word joiner, byte-order mark.
    static func isZeroWidth(_ value: UInt32) -> Bool {
        (value >= 0x200B && value <= 0x200D) || value == 0x2060 || value == 0xFEFF
    }

    /// Invisible characters dropped without counting: soft hyphen, Mongolian vowel separator, invisible operators,
    /// left-to-right and right-to-left marks (ordinary in right-to-left text).
    static func isSilent(_ value: UInt32) -> Bool {
        value == 0x00AD || value == 0x180E || (value >= 0x2061 && value <= 0x2064) || value == 0x200E || value == 0x200F
    }

    static func isNewline(_ value: UInt32) -> Bool {
        (value >= 0x0A && value <= 0x0D) || value == 0x85 || value == 0x2028 || value == 0x2029
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
    }

    /// The scalar lowercased when its lowercase is a single scalar, else itself.
    static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if value < 0x80 {
            guard value >= 0x41 && value <= 0x5A else { return scalar }
            return Unicode.Scalar(UInt8(truncatingIfNeeded: value + 0x20))
        }
        guard scalar.properties.changesWhenLowercased else { return scalar }
        let lowercase = scalar.properties.lowercaseMapping.unicodeScalars
        if let first = lowercase.first, lowercase.count == 1 { return first }
        return scalar
    }

    /// The ASCII letter or digit a Cyrillic, Greek or full-width look-alike stands for, case kept.
    static func homoglyph(_ value: UInt32) -> Unicode.Scalar? {
        if value >= 0xFF21 && value <= 0xFF3A { return Unicode.Scalar(UInt8(truncatingIfNeeded: value - 0xFF21 + 0x41)) }
        if value >= 0xFF41 && value <= 0xFF5A { return Unicode.Scalar(UInt8(truncatingIfNeeded: value - 0xFF41 + 0x61)) }
        if value >= 0xFF10 && value <= 0xFF19 { return Unicode.Scalar(UInt8(truncatingIfNeeded: value - 0xFF10 + 0x30)) }
        guard value >= 0x0391 && value <= 0x0458, let ascii = lookAlikes[value] else { return nil }
        return Unicode.Scalar(ascii)
    }

    /// Cyrillic and Greek letters drawn like Latin ones.
    static let lookAlikes: [UInt32: UInt8] = [
        // Cyrillic lowercase: а е о р с у х і ѕ ј
        0x0430: 0x61, 0x0435: 0x65, 0x043E: 0x6F, 0x0440: 0x70, 0x0441: 0x63, 0x0443: 0x79, 0x0445: 0x78,
        0x0456: 0x69, 0x0455: 0x73, 0x0458: 0x6A,
        // Cyrillic uppercase: А В Е К М Н О Р С Т Х І Ѕ Ј
        0x0410: 0x41, 0x0412: 0x42, 0x0415: 0x45, 0x041A: 0x4B, 0x041C: 0x4D, 0x041D: 0x48, 0x041E: 0x4F,
        0x0420: 0x50, 0x0421: 0x43, 0x0422: 0x54, 0x0425: 0x58, 0x0406: 0x49, 0x0405: 0x53, 0x0408: 0x4A,
        // Greek uppercase: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ
        0x0391: 0x41, 0x0392: 0x42, 0x0395: 0x45, 0x0396: 0x5A, 0x0397: 0x48, 0x0399: 0x49, 0x039A: 0x4B,
        0x039C: 0x4D, 0x039D: 0x4E, 0x039F: 0x4F, 0x03A1: 0x50, 0x03A4: 0x54, 0x03A5: 0x59, 0x03A7: 0x58,
        // Greek lowercase: ο ι ν ρ
        0x03BF: 0x6F, 0x03B9: 0x69, 0x03BD: 0x76, 0x03C1: 0x70,
    ]
}
