import SwitchyardCore
import SwitchyardPrompts
import SwitchyardWire
import Testing

@Suite("Prompt definitions")
struct PromptDefinitionTests {
    static let sentiment: JSONValue = [
        "model": "chat", "system": "You are a precise classifier.",
        "template": "Classify as positive, negative or neutral: {{text}}{{#tags}} #{{.}}{{/tags}}",
        "variables": [
            "text": ["type": "string", "required": true, "max_length": 20],
            "tone": ["type": "enum", "values": ["formal", "casual"], "default": "formal"],
            "tags": ["type": "array"],
            "count": ["type": "integer"],
        ],
        "parameters": ["temperature": 0],
    ]

    @Test("a run renders its variables without HTML escaping, defaults filled in, into a chat request")
    func renders() throws {
        let definition = try PromptDefinition(json: Self.sentiment)
        let values = try definition.values(["text": "<b>great</b> & fine", "tags": ["a", "b"]])
        #expect(values["tone"] == "formal")
        let request = definition.chatRequest(values: values, stream: false)
        let messages = request["messages"]?.array ?? []
        #expect(messages.count == 2)
        #expect(messages.first?["content"]?.string == "You are a precise classifier.")
        #expect(messages.last?["content"]?.string == "Classify as positive, negative or neutral: <b>great</b> & fine #a #b")
        #expect(request["model"] == "chat" && request["temperature"] == 0 && request["stream"] == nil)
        #expect(PromptRenderer.render("{{tags}} {{n}} {{flag}}", values: ["tags": ["x", "y"], "n": 3, "flag": true]) == "x, y 3 true")
    }

    @Test("bad variables are 400s naming the variable")
    func validation() throws {
        let definition = try PromptDefinition(json: Self.sentiment)
        let cases: [(JSONValue, String)] = [
            ([:], "variables.text"),
            (["text": 5], "variables.text"),
            (["text": "this text is far longer than twenty"], "variables.text"),
            (["text": "ok", "tone": "angry"], "variables.tone"),
            (["text": "ok", "tags": [1]], "variables.tags"),
            (["text": "ok", "count": 1.5], "variables.count"),
            (["text": "ok", "extra": "x"], "variables.extra"),
        ]
        for (given, param) in cases {
            do {
                _ = try definition.values(given)
                Issue.record("\(given) was accepted")
            } catch {
                #expect(error.status == 400 && error.param == param, "\(given): \(error.message)")
            }
        }
    }

    @Test("a definition that is not whole is refused naming the field")
    func definitionErrors() {
        let cases: [(JSONValue, String)] = [
            (["template": "x"], "model"),
            (["model": "chat"], "template"),
            (["model": "chat", "template": "{{#open}}"], "template"),
            (["model": "chat", "template": "x", "variables": ["a b": ["type": "string"]]], "variables.a b"),
            (["model": "chat", "template": "x", "variables": ["a": ["type": "date"]]], "variables.a.type"),
            (["model": "chat", "template": "x", "parameters": ["messages": []]], "parameters.messages"),
            (["model": "chat", "template": .string(String(repeating: "{{a}}", count: 2001))], "template"),
            (["model": "chat", "template": "x", "system": .string(String(repeating: "x", count: 100_001))], "system"),
        ]
        for (json, param) in cases {
            do {
                _ = try PromptDefinition(json: json)
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.param == param, "\(json): \(error.message)")
            }
        }
    }

    @Test("versions are integers or their decimal strings; a diff names the fields and lines that changed")
    func versionsAndDiffs() throws {
        #expect(try PromptVersionNumber.parse("2", param: "version") == 2)
        #expect(try PromptVersionNumber.parse(3, param: "version") == 3)
        #expect(throws: GatewayError.self) { try PromptVersionNumber.parse("0", param: "version") }
        #expect(throws: GatewayError.self) { try PromptVersionNumber.parse("1.5", param: "version") }
        let diff = PromptDiff.between(["model": "chat", "template": "a\nb"], ["model": "chat", "template": "a\nc"], from: 1, to: 2)
        let changes = diff["changes"]?.array ?? []
        #expect(changes.count == 1 && changes.first?["field"] == "template")
        #expect(changes.first?["lines"] == ["- b", "+ c"])
    }
}
