import SwitchyardGuardrails
import Testing

@Suite("PlaceholderNumbering")
struct PlaceholderNumberingTests {
    @Test("numbers count per kind, and the same text keeps its placeholder")
    func numbering() {
        var numbering = PlaceholderNumbering()
        #expect(numbering.placeholder(for: "email", original: "a@example.com") == "[EMAIL_1]")
        #expect(numbering.placeholder(for: "credit_card", original: "4111 1111 1111 1111") == "[CREDIT_CARD_1]")
        #expect(numbering.placeholder(for: "email", original: "b@example.com") == "[EMAIL_2]")
        #expect(numbering.placeholder(for: "email", original: "a@example.com") == "[EMAIL_1]")
        #expect(numbering.placeholder(for: "us_ssn", original: "123-45-6789") == "[US_SSN_1]")
        #expect(numbering.placeholder(for: "ip_address", original: "10.0.0.1") == "[IP_ADDRESS_1]")
        #expect(numbering.count(of: "email") == 2)
        #expect(numbering.count(of: "credit_card") == 1)
        #expect(numbering.count(of: "phone") == 0)
        #expect(numbering.originals == [
            "[EMAIL_1]": "a@example.com", "[EMAIL_2]": "b@example.com", "[CREDIT_CARD_1]": "4111 1111 1111 1111",
            "[US_SSN_1]": "123-45-6789", "[IP_ADDRESS_1]": "10.0.0.1",
        ])
    }

    @Test("the same text found as two kinds gets a placeholder of each")
    func sameTextTwoKinds() {
        var numbering = PlaceholderNumbering()
        #expect(numbering.placeholder(for: "email", original: "x") == "[EMAIL_1]")
        #expect(numbering.placeholder(for: "codename", original: "x") == "[CODENAME_1]")
    }

    @Test("custom kinds are uppercased, other characters as underscores", arguments: [
        ("codename", "CODENAME"), ("my words", "MY_WORDS"), ("pii-v2", "PII_V2"), ("wörter", "W_RTER"), ("", "REDACTED"),
    ])
    func labels(_ kind: String, _ label: String) {
        #expect(PlaceholderNumbering.label(for: kind) == label)
        var numbering = PlaceholderNumbering()
        #expect(numbering.placeholder(for: kind, original: "x") == "[\(label)_1]")
    }
}
