/// Replaces `${VAR}` and `${VAR:-default}` in configuration values. `$${` stands for a literal `${`.
struct EnvironmentInterpolation {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unterminated
        case invalidName(String)
    }

    /// The interpolated text, and the names of variables that were used but not set (they become empty).
    func interpolate(_ text: String) throws(Failure) -> (String, unset: [String]) {
        guard text.contains("$") else { return (text, []) }
        var output = ""
        var unset: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "$", text[index...].hasPrefix("$${") {
                output += "${"
                index = text.index(index, offsetBy: 3)
                continue
            }
            guard character == "$", text[index...].hasPrefix("${") else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let bodyStart = text.index(index, offsetBy: 2)
            guard let close = text[bodyStart...].firstIndex(of: "}") else { throw .unterminated }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let colon = body.indices.first(where: { body[$0] == ":" && body[body.index(after: $0)...].first == "-" }) {
                name = body[..<colon]
                fallback = body[body.index(colon, offsetBy: 2)...]
            } else {
                name = body
                fallback = nil
            }
            guard Self.isValidName(name) else { throw .invalidName(String(name)) }
            if let value = environment[String(name)], !value.isEmpty {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                unset.append(String(name))
            }
            index = text.index(after: close)
        }
        return (output, unset)
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
