import SwitchyardGuardrails
import Testing

@Suite("PatternDetector")
struct PatternDetectorTests {
    @Test("matches carry the detector's name and UTF-8 ranges")
    func matches() throws {
        let detector = try PatternDetector(name: "codename", patterns: ["(?i)internal codename \\w+"])
        let text = "The Internal Codename Falcon is secret"
        let detections = detector.detections(in: text)
        #expect(detections == [Detection(kind: "codename", range: 4..<28)])
        #expect(describe(detections, in: text) == ["codename=Internal Codename Falcon"])
    }

    @Test("ranges are byte offsets after non-ASCII text")
    func nonASCII() throws {
        let detector = try PatternDetector(name: "order", patterns: ["#\\d+"])
        let text = "Ünïcode: order #12345 and #7"
        #expect(detector.detections(in: text) == [Detection(kind: "order", range: 17..<23), Detection(kind: "order", range: 28..<30)])
    }

    @Test("of overlapping matches of several patterns the longer stays")
    func overlapping() throws {
        let detector = try PatternDetector(name: "p", patterns: ["abc", "abcdef", "def"])
        #expect(describe(detector.detections(in: "xx abcdef abc"), in: "xx abcdef abc") == ["p=abcdef", "p=abc"])
    }

    @Test("empty matches are left out")
    func emptyMatches() throws {
        let detector = try PatternDetector(name: "p", patterns: ["x*"])
        #expect(describe(detector.detections(in: "ab xx c"), in: "ab xx c") == ["p=xx"])
    }

    @Test("an invalid pattern throws an error naming it")
    func invalidPattern() {
        let error = #expect(throws: InvalidPatternError.self) {
            try PatternDetector(name: "bad", patterns: ["fine", "(unclosed"])
        }
        #expect(error?.pattern == "(unclosed")
        #expect(error?.name == "bad")
        #expect(error?.description.hasPrefix("guardrail \"bad\": invalid pattern \"(unclosed\"") == true)
    }
}
