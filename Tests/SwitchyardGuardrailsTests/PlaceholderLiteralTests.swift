import SwitchyardGuardrails
import Testing

/// Placeholders written out in a text: found with their place, label and number, and stripped of their numbers.
@Suite("PlaceholderLiteral")
struct PlaceholderLiteralTests {
    static func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return PlaceholderLiteral.all(in: text.utf8).map { literal in
            "\(literal.label)#\(literal.number)@" + String(decoding: bytes[literal.range], as: UTF8.self)
        }
    }

    @Test("placeholders are found in order with their label, number and byte range")
    func finds() {
        #expect(Self.found("Mail [EMAIL_1] or [EMAIL_12], card [CREDIT_CARD_3].") == [
            "EMAIL#1@[EMAIL_1]", "EMAIL#12@[EMAIL_12]", "CREDIT_CARD#3@[CREDIT_CARD_3]",
        ])
        let literal = PlaceholderLiteral.all(in: "é [US_SSN_2]".utf8)
        #expect(literal.map(\.range) == [3..<13] && literal.map(\.label) == ["US_SSN"] && literal.map(\.number) == [2], "ranges are in UTF-8 bytes")
        #expect(Self.found("[[EMAIL_1]]") == ["EMAIL#1@[EMAIL_1]"])
        #expect(Self.found("[A1_2]") == ["A1#2@[A1_2]"])
        #expect(Self.found("[EMAIL_1][PHONE_2]") == ["EMAIL#1@[EMAIL_1]", "PHONE#2@[PHONE_2]"])
        #expect(Self.found("[EMAIL_123456789]") == ["EMAIL#123456789@[EMAIL_123456789]"])
    }

    @Test("what is not a placeholder is not found", arguments: [
        "[email_1]", "[EMAIL]", "[EMAIL_]", "[_1]", "[1_EMAIL_2]", "[EMAIL_1234567890]", "[EMAIL 1]", "[EMAIL_1", "EMAIL_1]", "[Email_1]",
        "[EMAIL_-1]", "[EMAIL_1a]", "[]", "[", "",
    ])
    func notFound(_ text: String) {
        #expect(PlaceholderLiteral.all(in: text.utf8).isEmpty, "\(Self.found(text))")
    }

    @Test("a label longer than 64 bytes is not a placeholder")
    func longLabel() {
        let long = "[" + String(repeating: "A", count: 70) + "_1]"
        #expect(PlaceholderLiteral.all(in: long.utf8).isEmpty)
        let fits = "[" + String(repeating: "A", count: 60) + "_1]"
        #expect(PlaceholderLiteral.all(in: fits.utf8).count == 1)
    }

    @Test("unnumbered takes the number off every placeholder and leaves the rest as it is")
    func unnumbered() {
        #expect(PlaceholderLiteral.unnumbered("Mail [EMAIL_1] or [EMAIL_2], card [CREDIT_CARD_13].") == "Mail [EMAIL] or [EMAIL], card [CREDIT_CARD].")
        #expect(PlaceholderLiteral.unnumbered("no placeholders [here] 東京") == "no placeholders [here] 東京")
        #expect(PlaceholderLiteral.unnumbered("東京 [PHONE_1]!") == "東京 [PHONE]!")
        #expect(PlaceholderLiteral.unnumbered("[EMAIL_1][EMAIL_2]") == "[EMAIL][EMAIL]")
        #expect(PlaceholderLiteral.unnumbered("") == "")
    }
}
