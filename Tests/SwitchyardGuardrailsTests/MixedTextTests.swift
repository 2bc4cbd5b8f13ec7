import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: texts holding several things")
struct MixedTextTests {
    static let mixed = "Mail jane@example.com or call +1 415 555 2671; card 4111-1111-1111-1111, IP 10.0.0.1."

    @Test("several entities in one text, with their byte ranges")
    func several() {
        let detections = PIIDetector().detections(in: Self.mixed)
        #expect(detections == [
            Detection(kind: "email", range: 5..<21),
            Detection(kind: "phone", range: 30..<45),
            Detection(kind: "credit_card", range: 52..<71),
            Detection(kind: "ip_address", range: 76..<84),
        ])
        #expect(describe(detections, in: Self.mixed) == [
            "email=jane@example.com", "phone=+1 415 555 2671", "credit_card=4111-1111-1111-1111", "ip_address=10.0.0.1",
        ])
    }

    @Test("ranges are UTF-8 byte offsets when non-ASCII text surrounds the matches")
    func nonASCII() {
        let text = "Grüße an jürgen@example.de — Tel. 030 1234567 ✓ und 🇩🇪 DE89 3704 0044 0532 0130 00"
        let detections = PIIDetector().detections(in: text)
        #expect(detections == [
            Detection(kind: "email", range: 11..<29),
            Detection(kind: "phone", range: 39..<50),
            Detection(kind: "iban", range: 68..<95),
        ])
        #expect(describe(detections, in: text) == [
            "email=jürgen@example.de", "phone=030 1234567", "iban=DE89 3704 0044 0532 0130 00",
        ])
    }

    @Test("matches touching CJK text without spaces are found")
    func cjk() {
        let text = "電話 415-555-2671 です、IP は 2001:db8::1 です"
        let detections = PIIDetector().detections(in: text)
        #expect(detections == [Detection(kind: "phone", range: 7..<19), Detection(kind: "ip_address", range: 36..<47)])
    }

    @Test("of candidates starting at the same place the longer wins")
    func longerWins() {
        #expect(findings(in: "030 123 4567") == ["phone=030 123 4567"])
        // A Luhn-valid card number (Visa) whose start is also a phone's shape.
        #expect(findings(in: "4111-1111-1111-1111") == ["credit_card=4111-1111-1111-1111"])
    }

    @Test("numbers that are not cards: no issuer's first digit, or groups of three")
    func notCards() {
        // Luhn-valid, but a millisecond timestamp and an id starting with 1, and groups of three.
        #expect(!findings(in: "at 1718294400006 ms").contains { $0.hasPrefix("credit_card") })
        #expect(!findings(in: "id 1800000000000000002").contains { $0.hasPrefix("credit_card") })
        #expect(!findings(in: "030 123 4567 008").contains { $0.hasPrefix("credit_card") })
    }

    @Test("slices are not IPv6 addresses; short compressed addresses still are")
    func slices() {
        #expect(findings(in: "evens = s[::2] and odds = s[1::2]") == [])
        #expect(findings(in: "loopback ::1 and fe80::1") == ["ip_address=::1", "ip_address=fe80::1"])
    }

    @Test("a long run of token-like text is read once, not again from each place a token could start")
    func longRuns() {
        for piece in ["eyJ-", "sk-", "ghp_", "xoxb-"] {
            let text = String(repeating: piece, count: 50_000)
            let started = ContinuousClock.now
            _ = PIIDetector().detections(in: text)
            #expect(ContinuousClock.now - started < .seconds(5), "\(piece)")
        }
    }

    @Test("only the entities asked for are found")
    func subset() {
        #expect(findings(in: Self.mixed, entities: [.email]) == ["email=jane@example.com"])
        #expect(findings(in: Self.mixed, entities: [.phone, .creditCard]) == ["phone=+1 415 555 2671", "credit_card=4111-1111-1111-1111"])
        #expect(findings(in: Self.mixed, entities: []).isEmpty)
        // Without e-mail, the address's local part is an IP address.
        #expect(findings(in: "192.168.1.1@example.com", entities: [.ipAddress]) == ["ip_address=192.168.1.1"])
    }

    @Test("entity names and placeholder names")
    func names() {
        #expect(Entity.allCases.map(\.rawValue) == ["email", "phone", "credit_card", "iban", "us_ssn", "ip_address", "secret"])
        #expect(Entity.allCases.map(\.placeholderName) == ["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "SECRET"])
        #expect(Entity(rawValue: "credit_card") == .creditCard)
        #expect(Entity.all.count == 7)
        #expect(PIIDetector().entities == Entity.all)
    }

    @Test("the empty text has nothing")
    func empty() {
        #expect(PIIDetector().detections(in: "").isEmpty)
    }
}
