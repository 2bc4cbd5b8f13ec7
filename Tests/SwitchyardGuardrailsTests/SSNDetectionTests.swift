import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: US social security numbers")
struct SSNDetectionTests {
    @Test("valid numbers are found", arguments: ["123-45-6789", "ssn:123-45-6789.", "(078-05-1120)"])
    func valid(_ text: String) {
        #expect(findings(in: text).count == 1)
        #expect(findings(in: text).first?.hasPrefix("us_ssn=") == true)
    }

    @Test("an area of 000, 666 or 9xx, a group of 00 or a serial of 0000 is not a number", arguments: [
        "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
    ])
    func invalidParts(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }

    @Test("part of a longer run is not a number", arguments: [
        "123-45-67890", "1123-45-6789", "123-45-6789-1", "9-123-45-6789", "a123-45-6789", "123456789",
    ])
    func longerRun(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }
}
