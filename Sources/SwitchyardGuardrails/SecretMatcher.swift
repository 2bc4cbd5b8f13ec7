/// Finds secrets: OpenAI and Anthropic keys (`sk-`, `sk-proj-`, `sk-ant-` and 20 or more of `[A-Za-z0-9_-]`), AWS
/// access key ids (`AKIA`/`ASIA` and 16 of `[A-Z0-9]`), GitHub tokens (`ghp_` … and 36 letters or digits,
/// `github_pat_` and 22 or more of `[A-Za-z0-9_]`), Google API keys (`AIza` and 35 of `[A-Za-z0-9_-]`), Slack tokens
/// (`xoxb-` … and 10 or more of `[A-Za-z0-9-]`), Stripe live keys (`sk_live_`, `rk_live_` and 24 or more letters or
/// digits), JWTs and PEM private-key blocks.
enum SecretMatcher {
    static let shapes: [TokenShape] = [
        TokenShape("sk-", .base64URL, atLeast: 20),
        TokenShape("sk_live_", .alphanumeric, atLeast: 24),
        TokenShape("rk_live_", .alphanumeric, atLeast: 24),
        TokenShape("AKIA", .uppercaseAlphanumeric, atLeast: 16, atMost: 16),
        TokenShape("ASIA", .uppercaseAlphanumeric, atLeast: 16, atMost: 16),
        TokenShape("AIza", .base64URL, atLeast: 35),
        TokenShape("ghp_", .alphanumeric, atLeast: 36),
        TokenShape("gho_", .alphanumeric, atLeast: 36),
        TokenShape("ghu_", .alphanumeric, atLeast: 36),
        TokenShape("ghs_", .alphanumeric, atLeast: 36),
        TokenShape("ghr_", .alphanumeric, atLeast: 36),
        TokenShape("github_pat_", .word, atLeast: 22),
        TokenShape("xoxa-", .alphanumericHyphen, atLeast: 10),
        TokenShape("xoxb-", .alphanumericHyphen, atLeast: 10),
        TokenShape("xoxp-", .alphanumericHyphen, atLeast: 10),
        TokenShape("xoxr-", .alphanumericHyphen, atLeast: 10),
        TokenShape("xoxs-", .alphanumericHyphen, atLeast: 10),
    ]

    /// Whether a secret may start with `byte`.
    static func mayStart(with byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "s"), UInt8(ascii: "r"), UInt8(ascii: "A"), UInt8(ascii: "g"), UInt8(ascii: "x"),
            UInt8(ascii: "e"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    static func match(in text: ByteText, at start: Int) -> Int? {
        let first = text[start]
        if first == UInt8(ascii: "-") { return PrivateKeyBlockMatcher.match(in: text, at: start) }
        // A key or token starts where its run of key characters starts: trying each prefix inside a long run
        // (`sk-sk-sk-…`) would read the run again from each, quadratic in its length.
        guard !text.isWordByte(at: start - 1), !(start > 0 && TokenShape.Alphabet.base64URL.contains(text[start - 1])) else { return nil }
        if first == UInt8(ascii: "e") { return JWTMatcher.match(in: text, at: start) }
        var best: Int?
        for shape in shapes where shape.prefix.first == first {
            best = furthest(best, shape.matchEnd(in: text, at: start))
        }
        return best
    }
}
