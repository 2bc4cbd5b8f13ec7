import Testing

@testable import SwitchyardGateway

@Suite("Secret redaction")
struct SecretRedactorTests {
    @Test("members whose names contain a secret word are masked, whatever comes before or after the word")
    func memberNames() {
        let redactor = SecretRedactor()
        let text = #"{"aws_secret_access_key":"wJalrXUtnFEMI","secret_key":"abc","private_key":"-----BEGIN","session_token":"FQoG","api_key_id":"x1","name":"ok"}"#
        let redacted = redactor.redact(text)
        for value in ["wJalrXUtnFEMI", "abc", "-----BEGIN", "FQoG", "x1"] { #expect(!redacted.contains(value), "\(redacted)") }
        #expect(redacted.contains(#""name":"ok""#))
    }

    @Test("a long run of secret words in a body is scanned in linear time and left as it is")
    func longRuns() {
        let text = #"{"text":""# + String(repeating: "secret", count: 3000) + #""}"#
        #expect(SecretRedactor().redact(text) == text)
    }

    @Test("configured secrets are masked as literals, whatever their shape")
    func literals() {
        let redactor = SecretRedactor(literals: ["azure0123456789abcdef", "master-key-without-prefix", "short"])
        let redacted = redactor.redact("key azure0123456789abcdef and master-key-without-prefix; short stays")
        #expect(redacted == "key [REDACTED] and [REDACTED]; short stays")
    }
}
