/// Masks credentials in text the request log keeps: provider and gateway API keys (`sk-...`, `sk-ant-...`,
/// `sk-sy-...`), Google API keys (`AIza...`), AWS access key ids, bearer tokens, and the values of JSON members
/// whose names say they hold a secret (`api_key`, `authorization`, `password`, `secret`, `access_token` ...).
/// Runs on the request log's writer, off the request path.
enum SecretRedactor {
    static let mask = "[REDACTED]"

    static func redact(_ text: String) -> String {
        // Built per call: Regex values are not Sendable, and this runs once per logged body.
        let patterns: [Regex<Substring>] = [
            #/sk-[A-Za-z0-9_\-]{8,}/#,
            #/AIza[0-9A-Za-z_\-]{20,}/#,
            #/(?:AKIA|ASIA)[0-9A-Z]{16}/#,
            #/[Bb]earer\s+[A-Za-z0-9_\-\.=:+\/]{8,}/#,
        ]
        let secretMember =
            #/("(?i:[a-z_\-]*(?:api[_\-]?key|authorization|password|secret|access[_\-]?token|refresh[_\-]?token))"\s*:\s*")(?:[^"\\]|\\.)*"/#
        var text = text
        text = text.replacing(secretMember) { match in "\(match.output.1)\(mask)\"" }
        for pattern in patterns { text = text.replacing(pattern, with: mask) }
        return text
    }
}
