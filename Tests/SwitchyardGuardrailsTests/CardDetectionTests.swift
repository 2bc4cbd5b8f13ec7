import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: payment cards")
struct CardDetectionTests {
    @Test("numbers passing the Luhn check are cards, grouped or not", arguments: [
        "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5500 0000 0000 0004", "3782 822463 10005",
    ])
    func valid(_ number: String) {
        #expect(findings(in: "card: \(number).") == ["credit_card=\(number)"])
    }

    @Test("card-like numbers failing the Luhn check are not cards", arguments: [
        "4111 1111 1111 1112", "4111111111111112", "5500 0000 0000 0005", "0000 0000 0000 0000",
    ])
    func failsLuhn(_ number: String) {
        #expect(findings(in: "card: \(number).").isEmpty)
    }

    @Test("a card glued to letters or inside a longer digit run is not a card", arguments: [
        "x4111111111111111", "4111111111111111x", "41111111111111111111", "4111 1111 1111 1111x",
    ])
    func glued(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }

    @Test("a number after a card is not taken in")
    func trailingNumber() {
        #expect(findings(in: "4111 1111 1111 1111 2") == ["credit_card=4111 1111 1111 1111"])
    }

    @Test("separators are not mixed")
    func mixedSeparators() {
        #expect(findings(in: "4111-1111 1111-1111").isEmpty)
    }
}
