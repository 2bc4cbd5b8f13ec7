/// The readable text of an HTML document: tags removed, `script`, `style`, `head` and comments dropped, block
/// elements and `<br>` turned into line breaks, character references decoded, spaces folded and blank lines dropped.
package enum HTMLText {
    /// Elements whose content is never text to read.
    static let hidden: Set<String> = ["script", "style", "head", "template", "noscript", "svg"]
    /// Elements that start a new line.
    static let blocks: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "pre", "blockquote", "hr", "dd", "dt", "main", "nav", "aside", "title",
    ]

    package static func extract(_ html: String) -> String {
        var output = ""
        var hiddenUntil: String?
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            if hiddenUntil == nil { output += decode(rest[..<open]) }
            rest = rest[open...]
            if rest.hasPrefix("<!--") {
                guard let end = rest.firstRange(of: "-->") else { return fold(output) }
                rest = rest[end.upperBound...]
                continue
            }
            // A tag never closed runs to the end: nothing after it is text.
            guard let close = rest.firstIndex(of: ">") else { return fold(output) }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let closing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if let hidden = hiddenUntil {
                if closing && name == hidden { hiddenUntil = nil }
                continue
            }
            if !closing, hidden.contains(name), !tag.hasSuffix("/") {
                hiddenUntil = name
                continue
            }
            if blocks.contains(name) { output += "\n" }
        }
        if hiddenUntil == nil { output += decode(rest) }
        return fold(output)
    }

    /// Character references: the common named ones and numeric ones.
    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "mdash": "—", "ndash": "–", "hellip": "…", "copy": "©",
        ]
        var output = ""
        var rest = text
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            rest = rest[ampersand...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                output += "&"
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: rest.startIndex)..<semicolon]
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = named[String(name)]
            }
            if let replacement {
                output += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output += "&"
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }

    /// Spaces and tabs folded to one space, lines trimmed, blank lines dropped.
    static func fold(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            if !words.isEmpty { lines.append(words) }
        }
        return lines.joined(separator: "\n")
    }
}
