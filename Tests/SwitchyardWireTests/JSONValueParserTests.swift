import Foundation
import NIOCore
import SwitchyardWire
import Testing

@Suite("JSON values read from bytes")
struct JSONValueParserTests {
    static let documents = [
        #"{"model":"chat","messages":[{"role":"user","content":"héllo \"quoted\" \\ \/ \n\t \u00e9 \ud83d\ude00"}],"temperature":0.2,"n":1}"#,
        #"[1, -0, 2.5e3, -1.5E-2, 9223372036854775807, 9223372036854775808, true, false, null, "", {}, []]"#,
        "  {\"a\" : {\"b\": [ {\"c\": null} ] } , \"a\": 2 }  ",
        #""just a string""#, "42", "-7.25",
    ]

    @Test("documents read as Foundation's decoder reads them")
    func agreesWithFoundation() throws {
        for document in Self.documents {
            let fast = try JSONValue(decoding: ByteBuffer(string: document))
            let reference = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            #expect(fast == reference, "\(document)")
        }
        let numbers = try JSONValue(decoding: "[1, 1.0, 1e2, 9223372036854775808]")
        #expect(numbers == [.integer(1), .integer(1), .integer(100), .number(9_223_372_036_854_775_808)])
    }

    @Test("what is not one JSON value is refused, with the offset")
    func refusals() {
        let bad = [
            "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "tru", "nul", "\"open", "\"\u{01}\"", "[1] x", "{'a':1}",
            #""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\x""#, #""\u12""#, "NaN", "1e999",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for document in bad {
            #expect(throws: JSONSyntaxError.self, "\(document.prefix(40))") { try JSONValue(decoding: ByteBuffer(string: document)) }
        }
        let invalidUTF8 = ByteBuffer(bytes: [0x22, 0xFF, 0x22])
        #expect(throws: JSONSyntaxError.self) { try JSONValue(decoding: invalidUTF8) }
    }
}
