import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: e-mail addresses")
struct EmailDetectionTests {
    @Test("addresses are found whole, inside punctuation and markdown", arguments: [
        Sample("mail john.doe@example.com now", ["email=john.doe@example.com"]),
        Sample("Write to <jane@example.com>.", ["email=jane@example.com"]),
        Sample("(jane.doe+tag@mail.example.co.uk)", ["email=jane.doe+tag@mail.example.co.uk"]),
        Sample("**bob_smith@example.org**", ["email=bob_smith@example.org"]),
        Sample("[mail](mailto:ann@example.io)", ["email=ann@example.io"]),
        Sample("`ops@example.com`", ["email=ops@example.com"]),
        Sample("see...alice@example.com, thanks", ["email=alice@example.com"]),
        Sample("a@b.co", ["email=a@b.co"]),
        Sample("x@y@z.com", ["email=y@z.com"]),
        Sample("E-Mail: „anna@example.de“", ["email=anna@example.de"]),
    ])
    func found(_ sample: Sample) {
        #expect(findings(in: sample.text) == sample.found)
    }

    @Test("what is not an address is not found", arguments: [
        "user@localhost", "user@example.c", "@example.com", "user@", "a..@x.com", ".@x.com", "no at sign here.com",
    ])
    func notFound(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }

    @Test("a local part may hold letters of alphabetic scripts, and stops at CJK text and symbols", arguments: [
        Sample("Grüße an jürgen@example.de!", ["email=jürgen@example.de"]),
        Sample("müller.jürgen@x.de", ["email=müller.jürgen@x.de"]),
        Sample("Привет, иван@example.ru!", ["email=иван@example.ru"]),
        Sample("请联系john@example.com", ["email=john@example.com"]),
        Sample("emoji😀john@x.com", ["email=john@x.com"]),
        Sample("—john@x.com", ["email=john@x.com"]),
    ])
    func nonASCII(_ sample: Sample) {
        #expect(findings(in: sample.text) == sample.found)
    }

    @Test("an address swallows the shorter match its local part held")
    func localPartHoldsAnotherMatch() {
        #expect(findings(in: "192.168.1.1@example.com") == ["email=192.168.1.1@example.com"])
        #expect(findings(in: "123-45-6789@example.com") == ["email=123-45-6789@example.com"])
        let key = "sk-" + String(repeating: "a", count: 25)
        #expect(findings(in: key + "@example.com") == ["email=\(key)@example.com"])
    }

    @Test("the byte range of an address after multi-byte text")
    func byteRange() {
        let text = "né: jürgen@example.de"
        let detections = PIIDetector().detections(in: text)
        // "né: " is 5 bytes; "jürgen@example.de" is 18.
        #expect(detections == [Detection(kind: "email", range: 5..<23)])
    }
}
