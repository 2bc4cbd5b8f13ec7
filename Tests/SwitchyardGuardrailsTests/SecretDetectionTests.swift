import SwitchyardGuardrails
import Testing

/// Secrets are put together from pieces, so that no scanner takes this file for a leak.
@Suite("PIIDetector: secrets")
struct SecretDetectionTests {
    static let jwt = "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0" + "." + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

    static let keys: [String] = [
        "sk-" + "a1B2c3D4e5F6g7H8i9J0",
        "sk-" + String(repeating: "a", count: 20),
        "sk-proj-" + String(repeating: "Abc123", count: 5),
        "sk-ant-api03-" + String(repeating: "x9Y8z7", count: 5),
        "AKIA" + "IOSFODNN7EXAMPLE",
        "ASIA" + "ABCDEFGHIJ123456",
        "ghp_" + String(repeating: "a1", count: 18),
        "gho_" + String(repeating: "a1", count: 18),
        "ghu_" + String(repeating: "a1", count: 18),
        "ghs_" + String(repeating: "a1", count: 18),
        "ghr_" + String(repeating: "a1", count: 18),
        "github_pat_" + "11ABCDEFG0_abcdefghijklmnop",
        "AIza" + "SyA-1234567890abcdefghijklmnopqrstu",
        "xoxb-" + "1234567890-abcdef",
        "xoxp-" + "1234567890-abcdef",
        "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "rk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
        jwt,
    ]

    static let nearMisses: [String] = [
        "sk-" + "short123",
        "sk-" + String(repeating: "a", count: 19),
        "AKIA" + "IOSFODNN7EXAMPL",
        "AKIA" + "IOSFODNN7EXAMPLEX",
        "AKIA" + "IOSFODNN7EXAMPLe",
        "ghp_" + String(repeating: "a1", count: 17),
        "xoxb-" + "123",
        "sk_live_" + "abc",
        "mysk-" + String(repeating: "a", count: 25),
        "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIi" + "." + "dozjgNryP4J3jVmNHl0w5N",
        "-----BEGIN " + "PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
    ]

    @Test("each shape of key or token is found whole", arguments: SecretDetectionTests.keys)
    func found(_ key: String) {
        #expect(findings(in: "token: \(key) end") == ["secret=\(key)"])
    }

    @Test("too few characters, a glued prefix or a public key is not a secret", arguments: SecretDetectionTests.nearMisses)
    func nearMiss(_ text: String) {
        #expect(findings(in: "token: \(text) end").isEmpty)
    }

    @Test("a PEM private-key block is found through its END line")
    func privateKeyBlock() {
        let block = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
            + "-----END RSA PRIVATE KEY-----"
        #expect(findings(in: "key:\n\(block)\nthanks, jane@example.com") == ["secret=\(block)", "email=jane@example.com"])
    }

    @Test("a cut-off private-key block runs to the end of the text, hiding what it holds")
    func unterminatedBlock() {
        let text = "key:\n" + "-----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04f\n4111 1111 1111 1111"
        let detections = PIIDetector().detections(in: text)
        #expect(detections == [Detection(kind: "secret", range: 5..<text.utf8.count)])
    }
}
