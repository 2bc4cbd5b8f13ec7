import SwitchyardCore
import SwitchyardGuardrails

/// Runs guardrails over the texts of one request (or answer), in order: what a `redact` or `mask` guardrail finds is
/// replaced by numbered placeholders (`[EMAIL_1]`, the same one for the same text throughout the request), a `block`
/// guardrail that finds anything refuses, a `flag` guardrail only records. Moderation guardrails judge the texts
/// as the others leave them, all at once, afterwards (`Gateway.moderate`).
struct GuardrailScreen {
    let guardrails: [GuardrailBook.Guardrail]
    /// The moderation guardrails, in order.
    let moderators: [GuardrailBook.Guardrail]
    let direction: GuardrailSettings.Direction
    /// Hands out placeholders for the whole request.
    var redactor: Redactor
    var report = GuardrailReport()
    /// The placeholders `mask` guardrails handed out: the answer gets their originals back.
    var masked: Set<String> = []
    /// The texts as screened, for the moderators to judge; kept only when there are moderators.
    var screenedTexts: [String] = []

    /// The placeholders of masked texts and what they stand for, to put back in the answer; nil when no `mask`
    /// guardrail replaced anything.
    var maskedOriginals: [String: String]? {
        masked.isEmpty ? nil : redactor.numbering.originals.filter { masked.contains($0.key) }
    }

    /// A screen running `guardrails` over one direction, going on from the placeholders `numbering` handed out
    /// (an answer's screen goes on from its request's, so that its placeholders are told apart).
    init(_ guardrails: [GuardrailBook.Guardrail], direction: GuardrailSettings.Direction, numbering: PlaceholderNumbering = PlaceholderNumbering()) {
        self.guardrails = guardrails.filter { !$0.detector.isModeration }
        moderators = guardrails.filter(\.detector.isModeration)
        self.direction = direction
        redactor = Redactor(numbering: numbering)
    }

    /// `text` as the guardrails leave it.
    /// - Throws: 400 `guardrail_blocked` naming the guardrail when a blocking one finds anything.
    mutating func screen(_ text: String) throws(GatewayError) -> String {
        var text = text
        for guardrail in guardrails {
            let found = guardrail.detector.detections(in: text)
            guard !found.isEmpty else { continue }
            let action = guardrail.settings.action
            report.record(guardrail: guardrail.settings.name, action: action.rawValue, direction: direction.rawValue, kinds: found.map(\.kind))
            switch action {
            case .block:
                throw Self.blocked(guardrail.settings.name, direction: direction, kinds: found.map(\.kind))
            case .redact:
                text = redactor.redact(text, detections: found)
            case .mask:
                let known = Set(redactor.numbering.originals.keys)
                text = redactor.redact(text, detections: found)
                masked.formUnion(redactor.numbering.originals.keys.filter { !known.contains($0) })
            case .flag:
                continue
            }
        }
        if !moderators.isEmpty, !text.isEmpty { screenedTexts.append(text) }
        return text
    }

    static func blocked(_ name: String, direction: GuardrailSettings.Direction, kinds: [String]) -> GatewayError {
        let found = Dictionary(kinds.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let what = direction == .input ? "The request was blocked" : "The answer was blocked"
        return GatewayError(
            status: 400, kind: .invalidRequest, code: "guardrail_blocked",
            message: "\(what) by guardrail '\(name)' (found: \(found.joined(separator: ", "))).")
    }
}
