import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: IBANs")
struct IBANDetectionTests {
    @Test("IBANs passing mod-97 are found, grouped or not, in either case", arguments: [
        "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
        "gb82 west 1234 5698 7654 32", "FR1420041010050500013M02606",
    ])
    func valid(_ iban: String) {
        #expect(findings(in: "IBAN: \(iban), thanks") == ["iban=\(iban)"])
    }

    @Test("a wrong check digit or a changed character fails mod-97", arguments: [
        "DE88370400440532013000", "DE89370400440532013001", "GB82 WEST 1234 5698 7654 33", "GB28 WEST 1234 5698 7654 32",
    ])
    func invalid(_ iban: String) {
        #expect(findings(in: "IBAN: \(iban)").isEmpty)
    }

    @Test("too short, or glued to letters, is not an IBAN", arguments: [
        "DE89 3704", "xDE89370400440532013000", "DE89370400440532013000x",
    ])
    func notIBAN(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }
}
