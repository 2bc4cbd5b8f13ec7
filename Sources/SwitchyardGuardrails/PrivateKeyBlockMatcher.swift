/// Finds a PEM private-key block: from `-----BEGIN … PRIVATE KEY-----` through the matching
/// `-----END … PRIVATE KEY-----`, or to the end of the text when the block is cut off.
enum PrivateKeyBlockMatcher {
    static let begin: [UInt8] = Array("-----BEGIN ".utf8)
    static let end: [UInt8] = Array("-----END ".utf8)
    static let dashes: [UInt8] = Array("-----".utf8)
    static let privateKey: [UInt8] = Array("PRIVATE KEY".utf8)
    /// The longest label read (`ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY` and the like are much shorter).
    static let maximumLabel = 64

    static func match(in text: ByteText, at start: Int) -> Int? {
        guard text.matches(begin, at: start) else { return nil }
        let labelStart = start + begin.count
        let labelEnd = text.runEnd(from: labelStart, maxLength: maximumLabel) {
            ASCIIByte.isUppercase($0) || ASCIIByte.isDigit($0) || $0 == UInt8(ascii: " ")
        }
        let label = text.slice(labelStart..<labelEnd)
        guard label.count >= privateKey.count, label.suffix(privateKey.count).elementsEqual(privateKey),
            text.matches(dashes, at: labelEnd)
        else { return nil }
        var closing = end
        closing.append(contentsOf: label)
        closing.append(contentsOf: dashes)
        guard let closingStart = text.firstPosition(of: closing, from: labelEnd + dashes.count) else { return text.count }
        return closingStart + closing.count
    }
}
