/// How much a text looks like a prompt injection: `value` in 0...1 and the names of the signals that fired (in a
/// fixed order: `instruction_override`, `jailbreak_persona`, `prompt_extraction`, `tag_characters`, `role_markers`,
/// `exfiltration`, `addressed_to_model`, `invisible_controls`, `bidi_controls`, `homoglyphs`).
public struct InjectionScore: Sendable, Equatable {
    /// 0 for nothing suspicious; each fired signal's weight `w` combines as `1 − ∏(1 − w)`.
    public let value: Double
    /// The names of the signals that fired; never the matched text.
    public let signals: [String]

    public init(value: Double, signals: [String]) {
        self.value = value
        self.signals = signals
    }

    /// Whether the score reaches `threshold` (`value >= threshold`), the rule a `prompt_injection` guardrail acts on.
    public func reaches(_ threshold: Double) -> Bool {
        value >= threshold
    }
}
