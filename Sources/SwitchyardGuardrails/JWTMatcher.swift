/// Finds a JSON Web Token: three base64url segments of 10 or more characters separated by dots, the first (a JSON
/// header) starting with `eyJ`.
enum JWTMatcher {
    static let header: [UInt8] = Array("eyJ".utf8)
    static let minimumSegment = 10

    static func match(in text: ByteText, at start: Int) -> Int? {
        // A token starts where a base64url run starts: trying every `eyJ` inside one run would read the run again
        // from each (quadratic on a long run of `eyJ-`).
        guard text.matches(header, at: start), !(start > 0 && TokenShape.Alphabet.base64URL.contains(text[start - 1])) else { return nil }
        var position = start
        for segment in 0..<3 {
            if segment > 0 {
                guard text[position] == UInt8(ascii: ".") else { return nil }
                position += 1
            }
            let end = text.runEnd(from: position, while: TokenShape.Alphabet.base64URL.contains)
            guard end - position >= minimumSegment else { return nil }
            position = end
        }
        return position
    }
}
