/// The shape of a prefixed API key or token: a literal prefix, then a body of one alphabet whose length is at least
/// `minimumLength` (and at most `maximumLength`).
struct TokenShape: Sendable {
    /// The bytes a token body may hold.
    enum Alphabet: Sendable {
        /// `[A-Za-z0-9]`
        case alphanumeric
        /// `[A-Z0-9]`
        case uppercaseAlphanumeric
        /// `[A-Za-z0-9_]`
        case word
        /// `[A-Za-z0-9-]`
        case alphanumericHyphen
        /// `[A-Za-z0-9_-]`, base64url
        case base64URL

        func contains(_ byte: UInt8) -> Bool {
            switch self {
            case .alphanumeric: ASCIIByte.isAlphanumeric(byte)
            case .uppercaseAlphanumeric: ASCIIByte.isUppercase(byte) || ASCIIByte.isDigit(byte)
            case .word: ASCIIByte.isAlphanumeric(byte) || byte == UInt8(ascii: "_")
            case .alphanumericHyphen: ASCIIByte.isAlphanumeric(byte) || byte == UInt8(ascii: "-")
            case .base64URL: ASCIIByte.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
        }
    }

    let prefix: [UInt8]
    let alphabet: Alphabet
    let minimumLength: Int
    let maximumLength: Int

    init(_ prefix: String, _ alphabet: Alphabet, atLeast minimumLength: Int, atMost maximumLength: Int = .max) {
        self.prefix = Array(prefix.utf8)
        self.alphabet = alphabet
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
    }

    /// Where the token starting at `start` ends, if one of this shape does; the body is read to its end, and must
    /// not be glued to a letter or digit outside its alphabet.
    func matchEnd(in text: ByteText, at start: Int) -> Int? {
        guard text.matches(prefix, at: start) else { return nil }
        let bodyStart = start + prefix.count
        let end = text.runEnd(from: bodyStart, while: alphabet.contains)
        let length = end - bodyStart
        guard length >= minimumLength, length <= maximumLength, !text.isWordByte(at: end) else { return nil }
        return end
    }
}
