import SwitchyardCore
import SwitchyardGuardrails

/// Runs guardrails over the texts of one request (or answer), in order: what a `redact` or `mask` guardrail finds is
/// replaced by numbered placeholders (`[EMAIL_1]`, the same one for the same text throughout the request), a `block`
/// guardrail that finds anything refuses, a `flag` guardrail only records.
struct GuardrailScreen {
    let guardrails: [GuardrailBook.Guardrail]
    let direction: GuardrailSettings.Direction
    /// Hands out placeholders for the whole request.
    var redactor = Redactor()
    var report = GuardrailReport()
    /// The placeholders `mask` guardrails handed out: the answer gets their originals back.
    var masked: Set<String> = []

    /// The placeholders of masked texts and what they stand for, to put back in the answer; nil when no `mask`
    /// guardrail replaced anything.
    var maskedOriginals: [String: String]? {
        masked.isEmpty ? nil : redactor.numbering.originals.filter { masked.contains($0.key) }
    }

    init(_ guardrails: [GuardrailBook.Guardrail], direction: GuardrailSettings.Direction) {
        self.guardrails = guardrails
        self.direction = direction
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
