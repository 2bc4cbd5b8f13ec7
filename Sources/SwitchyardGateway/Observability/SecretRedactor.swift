/// Masks credentials in text the gateway keeps or reports (request-log bodies, error messages, log lines, spans):
/// provider and gateway API keys (`sk-...`, `sk-ant-...`), Google API keys (`AIza...`), AWS access key ids, bearer
/// tokens, the values of JSON members whose names contain a secret word (`api_key`, `aws_secret_access_key`,
/// `private_key`, `session_token`, `password` ...), and, as literals, the secrets the gateway itself was configured
/// with (provider keys and the master key), whatever their shape. Runs off the request path.
struct SecretRedactor: Sendable {
    static let mask = "[REDACTED]"
    /// Redacts by pattern only, for places that do not know the configured secrets.
    static let patternsOnly = SecretRedactor()

    /// Configured secrets, longest first (so a secret that contains another is masked whole).
    private let literals: [String]

    /// - Parameter literals: secrets to mask wherever they appear; those shorter than 8 characters are ignored, as
    ///   masking them would mangle ordinary text.
    init(literals: [String] = []) {
        self.literals = Array(Set(literals.filter { $0.count >= 8 })).sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        // Built per call: Regex values are not Sendable, and this runs once per logged body.
        let patterns: [Regex<Substring>] = [
            #/sk-[A-Za-z0-9_\-]{8,}/#,
            #/AIza[0-9A-Za-z_\-]{20,}/#,
            #/(?:AKIA|ASIA)[0-9A-Z]{16}/#,
            #/[Bb]earer\s+[A-Za-z0-9_\-\.=:+\/]{8,}/#,
        ]
        let secretMember =
            #/("(?i:[a-z0-9_\-]{0,48}(?:api[_\-]?key|authorization|password|passwd|secret|private[_\-]?key|access[_\-]?token|refresh[_\-]?token|session[_\-]?token|id[_\-]?token|auth[_\-]?token|credential)[a-z0-9_\-]{0,48})"\s*:\s*")(?:[^"\\]|\\.)*"/#
        var text = text
        for literal in literals where text.contains(literal) { text = text.replacing(literal, with: Self.mask) }
        text = text.replacing(secretMember) { match in "\(match.output.1)\(Self.mask)\"" }
        for pattern in patterns { text = text.replacing(pattern, with: Self.mask) }
        return text
    }
}
