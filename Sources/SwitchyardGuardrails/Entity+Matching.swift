/// Which matcher finds each entity, and the bytes its matches can start with.
extension Entity {
    /// Whether a match of this entity may start with `byte`. An e-mail address is found at its `@` instead.
    func mayStart(with byte: UInt8) -> Bool {
        switch self {
        case .email:
            return false
        case .phone:
            return ASCIIByte.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "(")
        case .creditCard, .usSSN:
            return ASCIIByte.isDigit(byte)
        case .iban:
            return ASCIIByte.isLetter(byte)
        case .ipAddress:
            return ASCIIByte.isHexDigit(byte) || byte == UInt8(ascii: ":")
        case .secret:
            return SecretMatcher.mayStart(with: byte)
        }
    }

    /// Where this entity's match starting at `start` ends, if there is one.
    func matchEnd(in text: ByteText, at start: Int) -> Int? {
        switch self {
        case .email:
            return nil
        case .phone:
            return PhoneMatcher.match(in: text, at: start)
        case .creditCard:
            return CardMatcher.match(in: text, at: start)
        case .iban:
            return IBANMatcher.match(in: text, at: start)
        case .usSSN:
            return SSNMatcher.match(in: text, at: start)
        case .ipAddress:
            return furthest(IPv4Matcher.match(in: text, at: start), IPv6Matcher.match(in: text, at: start))
        case .secret:
            return SecretMatcher.match(in: text, at: start)
        }
    }
}
