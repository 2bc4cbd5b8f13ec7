import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: phone numbers")
struct PhoneDetectionTests {
    @Test("E.164 and national formats are found", arguments: [
        "+44 20 7946 0958", "(415) 555-2671", "415-555-2671", "415.555.2671", "415 555 2671", "+1 (415) 555-2671",
        "1-800-555-0199", "+442079460958", "030 1234567", "020 7946 0958", "+49-30-1234567",
    ])
    func found(_ number: String) {
        #expect(findings(in: "call \(number) today") == ["phone=\(number)"])
    }

    @Test("dates, bare digit runs and short numbers are not phones", arguments: [
        "2024-01-15", "on 2024-01-15 10:30", "1234567890", "order 1234567890 shipped", "+1234567", "01-02-2024",
        "415-555-26710", "x415-555-2671",
    ])
    func notFound(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }

    @Test("a number after a phone is not taken in")
    func trailingNumber() {
        #expect(findings(in: "+44 20 7946 0958 1234") == ["phone=+44 20 7946 0958"])
    }
}
