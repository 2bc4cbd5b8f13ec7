import SwitchyardGuardrails
import Testing

@Suite("PIIDetector over random texts")
struct RandomTextTests {
    /// Pieces random texts are made of: the characters the rules look at, fragments of things they find, and
    /// multi-byte characters.
    static let pieces = [
        "0", "1", "4", "9", "12", "255", "a", "Z", "x", "com", "@", ".", "-", ":", "::", " ", "+", "(", ")", "_", "\n",
        "é", "ü", "日", "😀", "🇩🇪", "sk-", "eyJ", "-----BEGIN RSA PRIVATE KEY-----", "4111", "GB82", "AKIA", "[",
    ]

    static func randomText(using generator: inout SplitMix64) -> String {
        let count = Int.random(in: 0...40, using: &generator)
        var text = ""
        for _ in 0..<count { text += pieces.randomElement(using: &generator) ?? "" }
        return text
    }

    @Test("ranges are in bounds, sorted, not empty and not overlapping, on character boundaries")
    func invariants() {
        var generator = SplitMix64(seed: 0x5EED_C0FFEE)
        let detector = PIIDetector()
        for _ in 0..<3000 {
            let text = Self.randomText(using: &generator)
            let bytes = Array(text.utf8)
            var previousEnd = 0
            for detection in detector.detections(in: text) {
                let range = detection.range
                #expect(range.lowerBound >= previousEnd && range.upperBound <= bytes.count && !range.isEmpty, "\(text.debugDescription): \(range)")
                guard range.lowerBound >= 0, range.upperBound <= bytes.count else { break }
                // A range cut through a multi-byte character would not decode to the same bytes.
                #expect(Array(String(decoding: bytes[range], as: UTF8.self).utf8) == Array(bytes[range]), "\(text.debugDescription)")
                previousEnd = range.upperBound
            }
        }
    }

    @Test("redacting and restoring gives the text back")
    func roundTrip() {
        var generator = SplitMix64(seed: 42)
        let detector = PIIDetector()
        for _ in 0..<1000 {
            let text = Self.randomText(using: &generator) + " jane@example.com " + Self.randomText(using: &generator)
            var redactor = Redactor()
            let redacted = redactor.redact(text, detections: detector.detections(in: text))
            var restorer = redactor.restorer
            #expect(restorer.restore(redacted) == text)
            // Streamed in random pieces.
            let characters = Array(redacted)
            var streamed = ""
            var index = 0
            while index < characters.count {
                let length = Int.random(in: 1...6, using: &generator)
                let end = min(index + length, characters.count)
                streamed += restorer.restore(delta: String(characters[index..<end]))
                index = end
            }
            streamed += restorer.finish()
            #expect(streamed == text, "\(text.debugDescription)")
        }
    }
}
