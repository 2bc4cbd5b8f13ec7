import SwitchyardGuardrails
import Testing

@Suite("PlaceholderRestorer")
struct PlaceholderRestorerTests {
    static let originals = ["[EMAIL_1]": "jane@example.com", "[CREDIT_CARD_1]": "4111 1111 1111 1111"]
    static let answer = "Grüße [EMAIL_1], card [CREDIT_CARD_1] [[EMAIL_1]] [EMAIL_2] a[0] [CREDIT_CARD_1"
    static let restoredAnswer = "Grüße jane@example.com, card 4111 1111 1111 1111 [jane@example.com] [EMAIL_2] a[0] [CREDIT_CARD_1"

    @Test("a whole answer has every known placeholder restored, and nothing else changed")
    func whole() {
        let restorer = PlaceholderRestorer(originals: Self.originals)
        #expect(restorer.restore(Self.answer) == Self.restoredAnswer)
        #expect(restorer.longestPlaceholder == "[CREDIT_CARD_1]".utf8.count)
    }

    @Test("a restorer from a numbering restores what a redactor replaced")
    func fromRedactor() {
        let text = "Write to jane@example.com, please."
        var redactor = Redactor()
        let redacted = redactor.redact(text, detections: PIIDetector().detections(in: text))
        #expect(redacted == "Write to [EMAIL_1], please.")
        #expect(redactor.restorer.restore("I wrote to [EMAIL_1].") == "I wrote to jane@example.com.")
        #expect(PlaceholderRestorer(numbering: redactor.numbering).restore(redacted) == text)
    }

    /// Streams `deltas`, checking after each that what is held back could still become a placeholder and is
    /// shorter than the longest one; returns everything given out, `finish()` included.
    static func stream(_ deltas: [String]) -> String {
        var restorer = PlaceholderRestorer(originals: originals)
        var output = ""
        for delta in deltas {
            output += restorer.restore(delta: delta)
            let held = restorer.heldBack
            #expect(held.utf8.count < restorer.longestPlaceholder)
            #expect(held.isEmpty || originals.keys.contains(where: { $0.hasPrefix(held) }), "held \(held.debugDescription)")
        }
        output += restorer.finish()
        #expect(restorer.heldBack.isEmpty)
        return output
    }

    @Test("streamed in two pieces, split anywhere")
    func twoPieces() {
        let characters = Array(Self.answer)
        for split in 0...characters.count {
            let deltas = [String(characters[..<split]), String(characters[split...])]
            #expect(Self.stream(deltas) == Self.restoredAnswer, "split at \(split)")
        }
    }

    @Test("streamed in three pieces, split anywhere")
    func threePieces() {
        let characters = Array(Self.answer)
        for first in 0...characters.count {
            for second in first...characters.count {
                let deltas = [String(characters[..<first]), String(characters[first..<second]), String(characters[second...])]
                #expect(Self.stream(deltas) == Self.restoredAnswer, "split at \(first), \(second)")
            }
        }
    }

    @Test("streamed one character at a time")
    func characterByCharacter() {
        #expect(Self.stream(Self.answer.map { String($0) }) == Self.restoredAnswer)
    }

    @Test("what is held back and given out at each step")
    func holding() {
        var restorer = PlaceholderRestorer(originals: Self.originals)
        #expect(restorer.restore(delta: "Hello [EMA") == "Hello ")
        #expect(restorer.heldBack == "[EMA")
        #expect(restorer.restore(delta: "IL_1] and [") == "jane@example.com and ")
        #expect(restorer.restore(delta: "x] [CREDIT_CARD_1]") == "[x] 4111 1111 1111 1111")
        #expect(restorer.restore(delta: "array[0]") == "array[0]")
        #expect(restorer.restore(delta: " [EMAIL_1") == " ")
        #expect(restorer.restore(delta: "0]") == "[EMAIL_10]")
        #expect(restorer.finish() == "")
    }

    @Test("finish gives out a dangling placeholder start")
    func danglingStart() {
        var restorer = PlaceholderRestorer(originals: Self.originals)
        #expect(restorer.restore(delta: "Reply to [EMA") == "Reply to ")
        #expect(restorer.finish() == "[EMA")
        #expect(restorer.finish() == "")
    }

    @Test("without placeholders deltas pass as they are")
    func noPlaceholders() {
        var restorer = PlaceholderRestorer(originals: [:])
        #expect(restorer.restore(delta: "a [") == "a [")
        #expect(restorer.restore("[EMAIL_1]") == "[EMAIL_1]")
        #expect(restorer.finish() == "")
        #expect(restorer.longestPlaceholder == 0)
    }
}
