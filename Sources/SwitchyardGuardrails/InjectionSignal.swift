/// What the injection scorer looks for, with its weight: a strong signal scores at least 0.9 on its own, a medium one
/// about half that, and several combine as `1 − ∏(1 − weight)`. Cases are listed in the order `InjectionScore.signals`
/// names them.
enum InjectionSignal: String, CaseIterable, Sendable {
    /// "ignore all previous instructions", "disregard the above rules", "new instructions:" opening a line.
    case instructionOverride = "instruction_override"
    /// "you are now DAN", "do anything now", "developer mode enabled", "act as an AI without restrictions".
    case jailbreakPersona = "jailbreak_persona"
    /// "reveal your system prompt", "print the initial instructions".
    case promptExtraction = "prompt_extraction"
    /// Any Unicode tag character (U+E0000–U+E007F): ASCII smuggled invisibly.
    case tagCharacters = "tag_characters"
    /// Chat-template tokens (`<|im_start|>`, `[INST]`, `<<SYS>>` …) or a `system:` line giving orders, inside content.
    case roleMarkers = "role_markers"
    /// Asking to send the conversation or secrets to a URL, or a markdown image whose URL carries a query.
    case exfiltration
    /// Text speaking to the model from inside content: "Note to the AI assistant:", "If you are an AI language model".
    case addressedToModel = "addressed_to_model"
    /// Two or more zero-width characters inside Latin words.
    case invisibleControls = "invisible_controls"
    /// Bidirectional embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069).
    case bidiControls = "bidi_controls"
    /// A word mixing Latin letters with Cyrillic, Greek or full-width look-alikes.
    case homoglyphs

    var weight: Double {
        switch self {
        case .tagCharacters: 0.97
        case .instructionOverride, .jailbreakPersona: 0.95
        case .promptExtraction: 0.92
        case .roleMarkers, .exfiltration: 0.6
        case .addressedToModel: 0.55
        case .invisibleControls, .bidiControls, .homoglyphs: 0.45
        }
    }
}
