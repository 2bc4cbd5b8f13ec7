import Testing

@testable import SwitchyardGateway

@Suite("Reading extracted facts")
struct MemoryExtractorTests {
    @Test("an answer {\"facts\": [...]} gives its non-empty strings, trimmed; a fenced one too")
    func parses() {
        #expect(MemoryExtractor.facts(in: #"{"facts": ["Prefers metric units", "  Works on Atlas ", "", 3]}"#) == ["Prefers metric units", "Works on Atlas"])
        #expect(MemoryExtractor.facts(in: "```json\n{\"facts\": [\"Is vegetarian\"]}\n```") == ["Is vegetarian"])
        #expect(MemoryExtractor.facts(in: #"{"facts": []}"#) == [])
    }

    @Test("an answer that is not the object asked for gives nothing")
    func refuses() {
        #expect(MemoryExtractor.facts(in: "The user likes metric units.") == nil)
        #expect(MemoryExtractor.facts(in: #"["a", "b"]"#) == nil)
        #expect(MemoryExtractor.facts(in: #"{"memories": ["a"]}"#) == nil)
        #expect(MemoryExtractor.facts(in: "```} {") == nil, "braces out of order are no object, and no crash")
        #expect(MemoryExtractor.facts(in: "```") == nil)
    }
}
