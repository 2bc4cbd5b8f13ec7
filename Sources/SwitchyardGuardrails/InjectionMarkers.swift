/// Injection markers found in the normalised characters rather than in words: chat-template tokens written into
/// content, and markdown images whose URL carries a query (a way to send data out when the answer is rendered).
enum InjectionMarkers {
    /// Chat-template role tokens and headers, lowercased and with single spaces as `InjectionText` leaves them.
    static let roleMarkerTexts: [String] = [
        "<|im_start|>", "<|im_end|>", "<|system|>", "<|user|>", "<|assistant|>", "<|endoftext|>", "<|start_header_id|>",
        "<|end_header_id|>", "<|eot_id|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>", "[system]", "<system>",
        "</system>", "### system:", "###system:", "### instruction:", "###instruction:",
    ]
    static let roleMarkers: [[Unicode.Scalar]] = roleMarkerTexts.map { Array($0.unicodeScalars) }

    /// Whether `scalars` hold one of `roleMarkers`. Each position is compared with each marker's first character
    /// before anything else, so this is linear in the text's length.
    static func containsRoleMarker(_ scalars: [Unicode.Scalar]) -> Bool {
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" || scalar == "[" || scalar == "#" {
                for marker in roleMarkers where matches(marker, in: scalars, at: index) { return true }
            }
            index += 1
        }
        return false
    }

    /// Whether `scalars` hold a markdown image `![alt](http…?…=…)` (the alt text on one line, at most 300 characters;
    /// the URL up to the first `)` or white space). One forward pass.
    static func containsImageWithQuery(_ scalars: [Unicode.Scalar]) -> Bool {
        enum State {
            case text, altText, urlStart, url
        }
        var state = State.text
        var altLength = 0
        var sawQuestionMark = false
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch state {
            case .text:
                if scalar == "!", index + 1 < scalars.count, scalars[index + 1] == "[" {
                    state = .altText
                    altLength = 0
                    index += 2
                    continue
                }
            case .altText:
                if scalar == "]" {
                    if index + 1 < scalars.count, scalars[index + 1] == "(" {
                        state = .urlStart
                        index += 2
                        continue
                    }
                    state = .text
                } else if scalar == "\n" || altLength >= 300 {
                    state = .text
                } else {
                    altLength += 1
                }
            case .urlStart:
                if matches(http, in: scalars, at: index) {
                    state = .url
                    sawQuestionMark = false
                    index += http.count
                    continue
                }
                // Read this character again as plain text.
                state = .text
                continue
            case .url:
                if scalar == ")" || scalar == " " || scalar == "\n" {
                    state = .text
                } else if scalar == "?" {
                    sawQuestionMark = true
                } else if scalar == "=" && sawQuestionMark {
                    return true
                }
            }
            index += 1
        }
        return false
    }

    private static let http = Array("http".unicodeScalars)

    /// Whether `pattern` occurs in `scalars` at `start`.
    static func matches(_ pattern: [Unicode.Scalar], in scalars: [Unicode.Scalar], at start: Int) -> Bool {
        guard start >= 0, pattern.count <= scalars.count - start else { return false }
        for offset in 0..<pattern.count where scalars[start + offset] != pattern[offset] { return false }
        return true
    }
}
