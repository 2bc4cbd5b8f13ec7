import SwitchyardGuardrails
import Testing

@Suite("Redactor")
struct RedactorTests {
    @Test("each detection becomes its placeholder; the same text the same one")
    func redacts() {
        let text = "Mail jane@example.com or jane@example.com, or bob@example.org; call 415-555-2671."
        var redactor = Redactor()
        let redacted = redactor.redact(text, detections: PIIDetector().detections(in: text))
        #expect(redacted == "Mail [EMAIL_1] or [EMAIL_1], or [EMAIL_2]; call [PHONE_1].")
        #expect(redactor.numbering.originals["[EMAIL_2]"] == "bob@example.org")
    }

    @Test("numbering runs across the texts of a request")
    func acrossTexts() {
        let detector = PIIDetector()
        var redactor = Redactor()
        let first = "from a@example.com"
        let second = "to b@example.com, cc a@example.com"
        #expect(redactor.redact(first, detections: detector.detections(in: first)) == "from [EMAIL_1]")
        #expect(redactor.redact(second, detections: detector.detections(in: second)) == "to [EMAIL_2], cc [EMAIL_1]")
    }

    @Test("detections of several detectors mix; of overlapping ones the longer is replaced")
    func mixedDetectors() throws {
        let text = "contact jane@example.com about Nightingale"
        let names = try PatternDetector(name: "names", patterns: ["jane"])
        let words = WordListDetector(name: "codename", words: ["nightingale"])
        let detections = names.detections(in: text) + words.detections(in: text) + PIIDetector().detections(in: text)
        var redactor = Redactor()
        #expect(redactor.redact(text, detections: detections) == "contact [EMAIL_1] about [CODENAME_1]")
    }

    @Test("of overlapping detections of the same length the first listed is replaced")
    func tie() {
        var redactor = Redactor()
        let detections = [Detection(kind: "b", range: 0..<3), Detection(kind: "a", range: 0..<3)]
        #expect(redactor.redact("abc def", detections: detections) == "[B_1] def")
    }

    @Test("non-ASCII text around a detection is kept whole")
    func nonASCII() {
        let text = "Grüße an jürgen@example.de! 😀"
        var redactor = Redactor()
        #expect(redactor.redact(text, detections: PIIDetector().detections(in: text)) == "Grüße an [EMAIL_1]! 😀")
    }

    @Test("detections outside the text, or empty, are ignored")
    func outOfBounds() {
        var redactor = Redactor()
        let detections = [Detection(kind: "x", range: 0..<100), Detection(kind: "x", range: -2..<1), Detection(kind: "x", range: 2..<2)]
        #expect(redactor.redact("short", detections: detections) == "short")
        #expect(redactor.numbering.originals.isEmpty)
    }
}
