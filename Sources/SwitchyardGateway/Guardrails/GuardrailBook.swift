package import SwitchyardCore
import SwitchyardGuardrails

/// The configured guardrails, ready to run: each one's detector made once from its settings.
package struct GuardrailBook: Sendable {
    /// A guardrail and the detector that finds what it looks for.
    struct Guardrail: Sendable {
        let settings: GuardrailSettings
        let detector: Detector
    }

    /// What a guardrail looks for.
    enum Detector: Sendable {
        case pii(PIIDetector)
        case pattern(PatternDetector)
        case words(WordListDetector)
        /// A whole text scoring at least the threshold is one finding.
        case injection(InjectionScorer, threshold: Double)
        /// A configured model's verdict, asked once for all the texts (see `Gateway.moderate`): finds nothing text
        /// by text.
        case moderation(ModerationSettings)

        var isModeration: Bool {
            if case .moderation = self { true } else { false }
        }

        /// Whether its findings are single spans of the text (not a verdict on the whole text).
        var findsSpans: Bool {
            switch self {
            case .pii, .pattern, .words: true
            case .injection, .moderation: false
            }
        }

        func detections(in text: String) -> [Detection] {
            switch self {
            case .pii(let detector): detector.detections(in: text)
            case .pattern(let detector): detector.detections(in: text)
            case .words(let detector): detector.detections(in: text)
            case .injection(let scorer, let threshold):
                scorer.score(text).reaches(threshold) ? [Detection(kind: "prompt_injection", range: 0..<text.utf8.count)] : []
            case .moderation: []
            }
        }
    }

    let guardrails: [String: Guardrail]

    /// - Throws: when a pattern does not compile (the configuration reader refuses those first).
    package init(_ settings: [GuardrailSettings]) throws {
        var guardrails: [String: Guardrail] = [:]
        for guardrail in settings {
            let detector: Detector =
                switch guardrail.kind {
                case .pii(let entities):
                    .pii(PIIDetector(entities: entities.isEmpty ? Set(Entity.allCases) : Set(entities.compactMap(Entity.init(rawValue:)))))
                case .regex(let patterns): .pattern(try PatternDetector(name: guardrail.name, patterns: patterns))
                case .words(let words): .words(WordListDetector(name: guardrail.name, words: words))
                case .promptInjection(let threshold): .injection(InjectionScorer(), threshold: threshold)
                case .moderation(let moderation): .moderation(moderation)
                }
            guardrails[guardrail.name] = Guardrail(settings: guardrail, detector: detector)
        }
        self.guardrails = guardrails
    }

    /// The guardrails `names` that read `direction`, in the order named.
    /// - Throws: 500 `guardrail_unavailable` naming one that is not configured (a key or team may name one the
    ///   configuration no longer has): a request its guardrails cannot screen is not sent.
    func guardrails(_ names: [String], reading direction: GuardrailSettings.Direction) throws(GatewayError) -> [Guardrail] {
        var active: [Guardrail] = []
        for name in names {
            guard let guardrail = guardrails[name] else {
                throw GatewayError(
                    status: 500, kind: .api, code: "guardrail_unavailable",
                    message: "Guardrail '\(name)', required by the calling key or its team, is not configured on this gateway.")
            }
            if guardrail.settings.directions.contains(direction) { active.append(guardrail) }
        }
        return active
    }
}
