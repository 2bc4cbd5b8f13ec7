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

    // MARK: Moderation

    /// A configuration with an openai provider `p`, an anthropic provider `a`, a model `chat` naming `names`, a model
    /// `moderator` on `p` and a model `claude-judge` on `a`.
    static func moderation(_ guardrails: String, names: String = "[moderation]") -> String {
        """
        providers: [{name: p, type: openai}, {name: a, type: anthropic}]
        models:
          - name: chat
            guardrails: \(names)
            targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
          - name: moderator
            targets: [{provider: p, model: omni-moderation-latest}]
          - name: claude-judge
            targets: [{provider: a, model: claude-haiku}]
        guardrails:
        \(guardrails)
        """
    }

    @Test("a moderation guardrail reads its model, method, categories, timeout and on_error, with their defaults")
    func moderationReads() throws {
        let yaml = Self.moderation(
            """
              - {name: moderation, type: moderation, model: moderator}
              - {name: judge, type: moderation, model: claude-judge, action: flag, on: [input, output]}
              - {name: strict, type: moderation, model: moderator, via: chat, categories: [hate, violence], timeout_seconds: 0.5, on_error: allow}
            """, names: "[moderation, judge, strict]")
        let guardrails = try ConfigurationLoader(environment: [:]).load(yaml: yaml).configuration.guardrails
        #expect(guardrails.map(\.name) == ["moderation", "judge", "strict"])
        guard case .moderation(let plain) = guardrails[0].kind, case .moderation(let judge) = guardrails[1].kind,
            case .moderation(let strict) = guardrails[2].kind
        else {
            Issue.record("not moderation: \(guardrails.map(\.kind))")
            return
        }
        #expect(plain == ModerationSettings(model: "moderator", method: .moderations), "via moderations for an openai model, block on error, 5 s")
        #expect(plain.timeout == .seconds(5) && plain.blocksOnError && plain.categories.isEmpty)
        #expect(guardrails[0].action == .block && guardrails[0].directions == [.input])
        #expect(judge.method == .chat, "an anthropic model is asked as a chat model")
        #expect(judge.categories == ModerationSettings.defaultCategories, "a chat model classifies into the default categories")
        #expect(guardrails[1].action == .flag && guardrails[1].directions == [.input, .output])
        #expect(strict.method == .chat && strict.categories == ["hate", "violence"])
        #expect(strict.timeout == .milliseconds(500) && !strict.blocksOnError)
    }

    @Test("moderation mistakes are refused with their key paths")
    func moderationRefusals() {
        let cases: [(String, String)] = [
            ("  - {name: moderation, type: moderation, model: claude-judge, via: moderations}", "guardrails[0].via"),
            ("  - {name: moderation, type: moderation, model: moderator, via: telepathy}", "guardrails[0].via"),
            ("  - {name: moderation, type: moderation, model: nobody}", "guardrails[0].model"),
            ("  - {name: moderation, type: moderation}", "guardrails[0].model"),
            ("  - {name: moderation, type: moderation, model: moderator, action: redact}", "guardrails[0].action"),
            ("  - {name: moderation, type: moderation, model: moderator, action: mask}", "guardrails[0].action"),
            ("  - {name: moderation, type: pii, model: moderator}", "guardrails[0].model"),
            ("  - {name: moderation, type: words, words: [x], via: chat}", "guardrails[0].via"),
            ("  - {name: moderation, type: regex, patterns: [x], on_error: allow}", "guardrails[0].on_error"),
            ("  - {name: moderation, type: pii, timeout_seconds: 2}", "guardrails[0].timeout_seconds"),
            ("  - {name: moderation, type: pii, categories: [hate]}", "guardrails[0].categories"),
            ("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: 0}", "guardrails[0].timeout_seconds"),
            ("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: -1}", "guardrails[0].timeout_seconds"),
            ("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: 1000}", "guardrails[0].timeout_seconds"),
            ("  - {name: moderation, type: moderation, model: moderator, on_error: other}", "guardrails[0].on_error"),
        ]
        for (guardrails, path) in cases {
            let found = problems(Self.moderation(guardrails))
            #expect(found.contains { $0.hasPrefix(path) }, "\(guardrails) → \(found)")
        }
        // The same guardrails without the mistake are fine.
        #expect(problems(Self.moderation("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: 300, on_error: block}")).isEmpty)
        #expect(problems(Self.moderation("  - {name: moderation, type: moderation, model: claude-judge, via: chat}")).isEmpty)
    }
}
