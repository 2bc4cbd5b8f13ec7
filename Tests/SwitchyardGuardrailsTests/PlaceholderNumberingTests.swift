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

/// Placeholders a client wrote itself are not handed out again.
@Suite("PlaceholderNumbering reserving literals")
struct PlaceholderNumberingReservationTests {
    @Test("after reserving [EMAIL_3], the next email gets [EMAIL_4]; other kinds start at 1")
    func reserves() {
        var numbering = PlaceholderNumbering()
        numbering.reserveLiterals(in: "my old note said [EMAIL_3] and [EMAIL_1]".utf8)
        #expect(numbering.count(of: "email") == 3)
        #expect(numbering.placeholder(for: "email", original: "a@example.com") == "[EMAIL_4]")
        #expect(numbering.placeholder(for: "phone", original: "+1 415 555 0100") == "[PHONE_1]")
        #expect(numbering.originals == ["[EMAIL_4]": "a@example.com", "[PHONE_1]": "+1 415 555 0100"], "a reserved literal stands for nothing")
    }

    @Test("reserving never lowers a count, and custom labels are reserved by their label")
    func neverLowers() {
        var numbering = PlaceholderNumbering()
        _ = numbering.placeholder(for: "email", original: "a@example.com")
        _ = numbering.placeholder(for: "email", original: "b@example.com")
        numbering.reserveLiterals(in: "[EMAIL_1] [MY_WORDS_5]".utf8)
        #expect(numbering.placeholder(for: "email", original: "c@example.com") == "[EMAIL_3]")
        #expect(numbering.placeholder(for: "my words", original: "x") == "[MY_WORDS_6]")
        numbering.reserveLiterals(in: "nothing here".utf8)
        #expect(numbering.count(of: "email") == 3)
    }
}
