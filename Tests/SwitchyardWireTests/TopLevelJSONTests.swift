import NIOCore
import SwitchyardWire
import Testing

@Suite("Validating top-level JSON scan")
struct TopLevelJSONTests {
    @Test("valid documents are accepted", arguments: [
        #"{}"#, #"[]"#, #"  {"a" : 1 }  "#, #""text""#, "0", "-0.5e+10", "true", "null",
        #"{"a":[1,{"b":[true,false,null,"x\"y\\z\/\b\f\n\r\t\u00e9"]},-1.25E-3],"c":{}}"#,
        "{\"emoji\":\"😀\",\"escaped\":\"\\ud83d\\ude00\"}",
    ])
    func valid(_ text: String) throws {
        _ = try TopLevelJSON(scanning: ByteBuffer(string: text))
    }

    @Test("invalid documents are rejected with an offset", arguments: [
        "", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "01", "1.", "-", ".5", "1e", "tru", "nul",
        #"{"a":1}x"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#, "{\"a\":\"line\nbreak\"}", "{a:1}", "'a'", "[1 2]",
    ])
    func invalid(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try TopLevelJSON(scanning: ByteBuffer(string: text)) }
    }

    @Test("nesting deeper than the limit is rejected without crashing")
    func deepNesting() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try TopLevelJSON(scanning: ByteBuffer(string: text)) }
    }

    @Test("top-level members are located with their kinds; nested keys are not")
    func members() throws {
        let text = #"{"model":"gpt-4o","messages":[{"model":"inner"}],"stream":true,"n":2,"empty":[],"o":{},"x":null}"#
        let document = try TopLevelJSON(scanning: ByteBuffer(string: text))
        #expect(document.members.count == 7)
        #expect(document.string(try #require(document.member("model"))) == "gpt-4o")
        #expect(document.member("messages")?.kind == .array)
        #expect(document.member("messages")?.isEmptyContainer == false)
        #expect(document.member("empty")?.isEmptyContainer == true)
        #expect(document.bool(try #require(document.member("stream"))) == true)
        #expect(document.member("n")?.kind == .number)
        #expect(document.member("x")?.kind == .null)
        #expect(document.member("missing") == nil)
    }

    @Test("escaped keys and values are compared after unescaping")
    func escapes() throws {
        let document = try TopLevelJSON(scanning: ByteBuffer(string: #"{"mod\u0065l":"caf\u00e9 \ud83d\ude00 \"q\""}"#))
        let member = try #require(document.member("model"))
        #expect(document.string(member) == "café 😀 \"q\"")
    }

    @Test("rewriting the model keeps every other byte")
    func rewrite() throws {
        let text = "{ \"messages\" : [ ] ,\n  \"model\" :\t\"a\\\"b\", \"z\": 1.50 }"
        let rewritten = ByteBuffer(string: text).rewritingTopLevelModel(to: "new/\"model\"")
        #expect(String(buffer: rewritten) == "{ \"messages\" : [ ] ,\n  \"model\" :\t\"new/\\\"model\\\"\", \"z\": 1.50 }")
        let untouched = ByteBuffer(string: #"{"no_model":1}"#)
        #expect(untouched.rewritingTopLevelModel(to: "x") == untouched)
    }

    @Test("a member can be added to an object")
    func addMember() throws {
        let document = try TopLevelJSON(scanning: ByteBuffer(string: #" {"a":1}"#))
        #expect(String(buffer: document.insertingMember("model", rawValue: #""m""#)) == #" {"model":"m","a":1}"#)
        let empty = try TopLevelJSON(scanning: ByteBuffer(string: "{}"))
        #expect(String(buffer: empty.insertingMember("model", rawValue: #""m""#)) == #"{"model":"m"}"#)
    }
}
