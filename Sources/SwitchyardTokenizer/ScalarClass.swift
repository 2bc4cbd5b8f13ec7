/// What the split patterns need to know of a Unicode scalar: exactly one of eight disjoint classes, each a single bit,
/// so that a pattern's character class is a mask.
///
/// The classes follow the regex crate's definitions, which tiktoken uses: `\p{L}` is the five letter categories,
/// `\p{N}` the three number categories, `\p{M}` the three mark categories, and `\s` the Unicode White_Space property
/// (no White_Space scalar is a letter, number or mark).
struct ScalarClass: Equatable, Sendable {
    let rawValue: UInt8

    /// Lu, Lt.
    static let uppercase = ScalarClass(rawValue: 0b0000_0001)
    /// Ll.
    static let lowercase = ScalarClass(rawValue: 0b0000_0010)
    /// Lm, Lo: letters that o200k counts as both upper and lower case.
    static let otherLetter = ScalarClass(rawValue: 0b0000_0100)
    /// Mn, Mc, Me.
    static let mark = ScalarClass(rawValue: 0b0000_1000)
    /// Nd, Nl, No.
    static let number = ScalarClass(rawValue: 0b0001_0000)
    /// White_Space other than carriage return and line feed.
    static let space = ScalarClass(rawValue: 0b0010_0000)
    /// `\r` and `\n`.
    static let newline = ScalarClass(rawValue: 0b0100_0000)
    /// Everything else: punctuation, symbols, controls, unassigned.
    static let other = ScalarClass(rawValue: 0b1000_0000)

    /// `\p{L}`.
    static let letter = ScalarClass(rawValue: 0b0000_0111)
    /// `\p{L}` or `\p{M}`.
    static let letterOrMark = ScalarClass(rawValue: 0b0000_1111)
    /// `\s`.
    static let whitespace = ScalarClass(rawValue: 0b0110_0000)
    /// `[^\s\p{L}\p{N}]`.
    static let punctuation = ScalarClass(rawValue: 0b1000_1000)
    /// `[^\r\n\p{L}\p{N}]`, the optional scalar before a word.
    static let wordPrefix = ScalarClass(rawValue: 0b1010_1000)
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let casedHead = ScalarClass(rawValue: 0b0000_1101)
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let casedTail = ScalarClass(rawValue: 0b0000_1110)

    /// Whether this class is one of those in `set`.
    @inline(__always)
    func isIn(_ set: ScalarClass) -> Bool {
        rawValue & set.rawValue != 0
    }

    /// The class of an ASCII scalar.
    @inline(__always)
    static func ascii(_ byte: UInt8) -> ScalarClass {
        switch byte {
        case 0x61...0x7A: .lowercase
        case 0x41...0x5A: .uppercase
        case 0x30...0x39: .number
        case 0x20, 0x09, 0x0B, 0x0C: .space
        case 0x0A, 0x0D: .newline
        default: .other
        }
    }

    /// The class of any scalar value; values that are not scalars count as `other`.
    static func of(_ value: UInt32) -> ScalarClass {
        switch value {
        case 0..<0x80:
            return ascii(UInt8(truncatingIfNeeded: value))
        // The rest of White_Space (stable since Unicode 6.3; a test checks it against `properties.isWhitespace`).
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return .space
        // Large blocks whose scalars are all Lo: CJK ideographs, Hangul syllables, hiragana, katakana.
        case 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x3041...0x3096, 0x30A1...0x30FA:
            return .otherLetter
        default:
            break
        }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: return .uppercase
        case .lowercaseLetter: return .lowercase
        case .modifierLetter, .otherLetter: return .otherLetter
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }
}
