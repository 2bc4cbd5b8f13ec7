import SwitchyardConfig
import SwitchyardCore
import Testing

/// The `guardrails:` section and each model's `guardrails:` list.
@Suite("Guardrail configuration")
struct GuardrailConfigurationTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static func configuration(_ guardrails: String, names: String = "[pii]") -> String {
        """
        providers: [{name: p, type: openai}]
        models:
          - name: chat
            guardrails: \(names)
            targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
        guardrails:
        \(guardrails)
        """
    }

    @Test("guardrails are read in order with their kind, action and directions; a model names them")
    func reads() throws {
        let yaml = Self.configuration(
            """
              - {name: pii, type: pii, entities: [email, credit_card], action: mask}
              - {name: words, type: words, words: [nightingale], action: block}
              - {name: watch, type: regex, patterns: ["(?i)numbers"]}
            """, names: "[pii, words, watch]")
        let configuration = try ConfigurationLoader(environment: [:]).load(yaml: yaml).configuration
        #expect(configuration.guardrails.map(\.name) == ["pii", "words", "watch"])
        #expect(configuration.guardrails[0].kind == .pii(entities: ["email", "credit_card"]) && configuration.guardrails[0].action == .mask)
        #expect(configuration.guardrails[1].kind == .words(["nightingale"]))
        #expect(configuration.guardrails[2].action == .block && configuration.guardrails[2].directions == [.input], "block and input by default")
        #expect(configuration.models.first?.guardrails == ["pii", "words", "watch"])
    }

    @Test("mistakes are refused with their key paths")
    func refusals() {
        let cases: [(String, String, String)] = [
            ("  - {name: pii, type: pii, entities: [emails]}", "[pii]", "guardrails[0].entities"),
            ("  - {name: pii, type: regex, patterns: [\"(unclosed\"]}", "[pii]", "guardrails[0].patterns[0]"),
            ("  - {name: pii, type: regex, patterns: []}", "[pii]", "guardrails[0].patterns"),
            ("  - {name: pii, type: words}", "[pii]", "guardrails[0].words"),
            ("  - {name: pii, type: toxicity}", "[pii]", "guardrails[0].type"),
            ("  - {name: pii, type: pii, action: shout}", "[pii]", "guardrails[0].action"),
            ("  - {name: pii, type: pii, action: mask, on: [output]}", "[pii]", "guardrails[0].on"),
            ("  - {name: pii, type: pii, on: [sideways]}", "[pii]", "guardrails[0].on"),
            ("  - {name: pii, type: pii}\n  - {name: pii, type: pii}", "[pii]", "guardrails[1].name"),
            ("  - {name: pii, type: pii, colour: red}", "[pii]", "guardrails[0]"),
            ("  - {name: pii, type: pii}", "[pii, nope]", "models[0].guardrails[1]"),
            ("  - {name: pii, type: prompt_injection, threshold: 1.5}", "[pii]", "guardrails[0].threshold"),
            ("  - {name: pii, type: prompt_injection, action: redact}", "[pii]", "guardrails[0].action"),
        ]
        for (guardrails, names, path) in cases {
            let found = problems(Self.configuration(guardrails, names: names))
            #expect(found.contains { $0.hasPrefix(path) }, "\(guardrails) → \(found)")
        }
    }
}
