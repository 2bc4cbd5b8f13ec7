import SwitchyardGuardrails
import Testing

@Suite("WordListDetector")
struct WordListDetectorTests {
    let detector = WordListDetector(name: "codename", words: ["nightingale", "Project  Blue Falcon", "straße", "c++"])

    @Test("whole words and phrases are found regardless of case", arguments: [
        Sample("The NIGHTINGALE has landed.", ["codename=NIGHTINGALE"]),
        Sample("about project blue falcon, and Nightingale", ["codename=project blue falcon", "codename=Nightingale"]),
        Sample("project\n  blue\tfalcon", ["codename=project\n  blue\tfalcon"]),
        Sample("Die STRASSE und die Straße", ["codename=Straße"]),
        Sample("ÜBER nightingale!", ["codename=nightingale"]),
        Sample("I like c++.", ["codename=c++"]),
    ])
    func found(_ sample: Sample) {
        #expect(describe(detector.detections(in: sample.text), in: sample.text) == sample.found)
    }

    @Test("parts of longer words are not found", arguments: [
        "nightingales", "thenightingale", "nightingale2", "project bluefalcon", "project blue", "ünightingale",
    ])
    func notFound(_ text: String) {
        #expect(detector.detections(in: text).isEmpty)
    }

    @Test("ranges are UTF-8 byte offsets")
    func byteRanges() {
        let text = "Ärger über Nightingale"
        // "Ärger über " is 13 bytes.
        #expect(detector.detections(in: text) == [Detection(kind: "codename", range: 13..<24)])
    }

    @Test("the longest phrase wins where several start")
    func longest() {
        let words = WordListDetector(name: "w", words: ["blue", "blue falcon"])
        #expect(describe(words.detections(in: "a blue falcon, a blue sky"), in: "a blue falcon, a blue sky") == ["w=blue falcon", "w=blue"])
    }

    @Test("an empty or blank list finds nothing")
    func emptyList() {
        #expect(WordListDetector(name: "w", words: []).detections(in: "anything").isEmpty)
        #expect(WordListDetector(name: "w", words: ["  ", ""]).detections(in: "anything  at all").isEmpty)
    }
}
