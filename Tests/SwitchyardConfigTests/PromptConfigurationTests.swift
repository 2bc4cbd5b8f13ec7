import SwitchyardConfig
import SwitchyardCore
import SwitchyardWire
import Testing

/// The `prompts:` section: each prompt checked as `POST /admin/prompts` checks one, mistakes named by key path.
@Suite("Prompt configuration")
struct PromptConfigurationTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static func configuration(_ prompts: String) -> String {
        """
        providers: [{name: p, type: openai}]
        models:
          - name: chat
            targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
        prompts:
        \(prompts)
        """
    }

    @Test("prompts are read with their definitions, YAML scalars typed as JSON")
    func reads() throws {
        let yaml = Self.configuration(
            """
              - name: sentiment
                model: chat
                system: "You are a precise classifier."
                template: "Classify: {{text}}"
                variables:
                  text: {type: string, required: true, max_length: 4000}
                  tone: {type: enum, values: [formal, casual], default: formal}
                parameters: {temperature: 0, top_p: 0.5, stop: ["\\n"]}
              - {name: echo, model: chat, template: "{{text}}", description: "1"}
            """)
        let prompts = try ConfigurationLoader(environment: [:]).load(yaml: yaml).configuration.prompts
        #expect(prompts.map(\.name) == ["sentiment", "echo"])
        let definition = prompts.first?.definition
        #expect(definition?["template"] == "Classify: {{text}}")
        #expect(definition?["name"] == nil, "the name is not part of the definition")
        #expect(definition?["parameters"] == ["temperature": 0, "top_p": 0.5, "stop": ["\n"]])
        #expect(definition?["variables"]?["text"]?["required"] == true)
        #expect(definition?["variables"]?["tone"]?["default"] == "formal")
        #expect(prompts.last?.definition["description"] == "1", "a quoted scalar stays a string")
        let none = "providers: [{name: p, type: openai}]\nmodels:\n  - name: chat\n    targets: [{provider: p, model: a}]\n"
        #expect(try ConfigurationLoader(environment: [:]).load(yaml: none).configuration.prompts.isEmpty)
    }

    @Test("mistakes are refused naming prompts[i].field")
    func refusals() {
        let cases: [(String, String)] = [
            ("  - {name: s, model: nope, template: hi}", "prompts[0].model"),
            ("  - {name: s, template: hi}", "prompts[0].model"),
            ("  - {name: s, model: chat}", "prompts[0].template"),
            ("  - {name: s, model: chat, template: \"{{#x}}\"}", "prompts[0].template"),
            ("  - {name: s, model: chat, template: hi, system: \"{{/x}}\"}", "prompts[0].system"),
            ("  - {name: s, model: chat, template: hi, colour: red}", "prompts[0].colour"),
            ("  - {name: s, model: chat, template: hi}\n  - {name: s, model: chat, template: ho}", "prompts[1].name"),
            ("  - {model: chat, template: hi}", "prompts[0].name"),
            ("  - {name: s, model: chat, template: hi, variables: {t: {type: date}}}", "prompts[0].variables.t.type"),
            ("  - {name: s, model: chat, template: hi, variables: {t: {type: enum, values: [a], default: b}}}", "prompts[0].variables.t.default"),
            ("  - {name: s, model: chat, template: hi, variables: {t: {type: string, pattern: \"(\"}}}", "prompts[0].variables.t.pattern"),
            ("  - {name: s, model: chat, template: hi, parameters: {stream: true}}", "prompts[0].parameters.stream"),
            ("  - {name: s, model: chat, template: hi, parameters: 3}", "prompts[0].parameters"),
            ("  - just a string", "prompts[0]"),
            ("  - {name: ok, model: chat, template: hi}\n  - {name: s, model: gone, template: hi}", "prompts[1].model"),
        ]
        for (prompts, path) in cases {
            let found = problems(Self.configuration(prompts))
            #expect(found.contains { $0.hasPrefix(path) }, "\(prompts) → \(found)")
        }
        // Several mistakes are all told.
        let several = problems(Self.configuration("  - {name: a, model: nope, template: hi}\n  - {name: b, model: chat, template: \"{{#x}}\"}"))
        #expect(several.contains { $0.hasPrefix("prompts[0].model") } && several.contains { $0.hasPrefix("prompts[1].template") }, "\(several)")
        // The same prompt without the mistake is fine.
        #expect(problems(Self.configuration("  - {name: s, model: chat, template: \"{{#x}}{{/x}}\"}")).isEmpty)
    }

    @Test("a prompt name the admin API refuses (it could not be a path segment) is refused in the file too")
    func names() {
        for name in ["\"a/b\"", "\"has space\"", "\"-dash\""] {
            let found = problems(Self.configuration("  - {name: \(name), model: chat, template: hi}"))
            #expect(found.contains { $0.hasPrefix("prompts[0].name") }, "\(name) → \(found)")
        }
    }
}
