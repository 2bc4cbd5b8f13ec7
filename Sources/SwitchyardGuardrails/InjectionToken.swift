/// A word of an `InjectionText`: letters and digits (an apostrophe between letters is dropped, so "don't" reads
/// "dont"), with what surrounds it.
struct InjectionToken: Sendable {
    /// The word, normalised and lowercased.
    var text: String
    /// Every letter was uppercase before lowercasing ("DAN", not "Dan").
    var isUppercase: Bool
    /// First word of the text or of a line.
    var startsLine: Bool
    /// First word of the text, of a line, or after `.`, `!`, `?` or `;`: phrases do not run across it.
    var startsSentence: Bool
    /// The first character after the word that is neither white space nor part of the next word (`:` in "system:").
    var trailing: Unicode.Scalar?

    /// The words of `text`, in order.
    static func tokens(of text: InjectionText) -> [InjectionToken] {
        let scalars = text.scalars
        var tokens: [InjectionToken] = []
        var word = String.UnicodeScalarView()
        var hasLetter = false
        var allUppercase = true
        var sawBreak = false
        var sawNewline = false
        var trailingOpen = false

        func endWord() {
            guard !word.isEmpty else { return }
            tokens.append(
                InjectionToken(
                    text: String(word), isUppercase: hasLetter && allUppercase, startsLine: tokens.isEmpty || sawNewline,
                    startsSentence: tokens.isEmpty || sawBreak, trailing: nil))
            word = String.UnicodeScalarView()
            hasLetter = false
            allUppercase = true
            sawBreak = false
            sawNewline = false
            trailingOpen = true
        }

        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if ScalarFolding.isWordCharacter(scalar) {
                word.append(scalar)
                if scalar.properties.isAlphabetic {
                    hasLetter = true
                    if index < text.uppercase.count, !text.uppercase[index] { allUppercase = false }
                }
                index += 1
                continue
            }
            if scalar == "'" || scalar == "\u{2019}", !word.isEmpty, index + 1 < scalars.count,
                ScalarFolding.isWordCharacter(scalars[index + 1])
            {
                index += 1
                continue
            }
            endWord()
            switch scalar {
            case "\n":
                sawNewline = true
                sawBreak = true
            case ".", "!", "?", ";":
                sawBreak = true
            default:
                break
            }
            if scalar != " " && scalar != "\n", trailingOpen, !tokens.isEmpty {
                tokens[tokens.count - 1].trailing = scalar
            }
            if scalar != " " { trailingOpen = false }
            index += 1
        }
        endWord()
        return tokens
    }
}
