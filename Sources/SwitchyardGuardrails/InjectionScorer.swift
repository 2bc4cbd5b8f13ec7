/// Scores how much a text looks like a prompt injection, in [0, 1] (the `type: prompt_injection` guardrail compares
/// the score with its threshold: `value >= threshold` acts).
///
/// The text is first normalised in one pass (`InjectionText`): zero-width characters, bidi controls and tag
/// characters are dropped and counted, Cyrillic, Greek and full-width look-alikes of Latin letters are folded to
/// ASCII, everything is lowercased and white space collapsed. Its words (`InjectionToken`; punctuation between words
/// is ignored, sentence breaks are kept) are then matched against short phrase rules (`InjectionPhrases`), each
/// looking a few words ahead, so scoring is linear in the text's length.
///
/// Strong signals score at least 0.9 on their own: an instruction override ("ignore all previous instructions",
/// "disregard the above rules", "new instructions:" opening a line), a jailbreak persona ("you are now DAN", "do
/// anything now", "developer mode enabled", "act as an AI without restrictions"), a prompt extraction ("reveal your
/// system prompt") and any Unicode tag character. Medium ones (0.45 to 0.6) need company to reach 0.8: fake role
/// markers in content, bidi controls, zero-width characters inside words, words mixing scripts, exfiltration asks,
/// and text addressed to the model from inside a document. Signals combine as `1 − ∏(1 − weight)`.
///
/// Heuristics, not a classifier: a text that quotes an attack phrase to ask about it scores like the attack, and an
/// injection phrased in other words (or another language) may score low.
public struct InjectionScorer: Sendable {
    public init() {}

    /// The score of `text`.
    public func score(_ text: String) -> InjectionScore {
        let normalised = InjectionText(text)
        let phrases = InjectionPhrases(tokens: InjectionToken.tokens(of: normalised))
        var fired = Set<InjectionSignal>()
        var exfiltrationByWords = false
        for index in phrases.tokens.indices {
            if !fired.contains(.instructionOverride), phrases.isInstructionOverride(at: index) {
                fired.insert(.instructionOverride)
            }
            if !fired.contains(.jailbreakPersona), phrases.isJailbreakPersona(at: index) {
                fired.insert(.jailbreakPersona)
            }
            if !fired.contains(.promptExtraction), phrases.isPromptExtraction(at: index) {
                fired.insert(.promptExtraction)
            }
            if !fired.contains(.roleMarkers), phrases.isRoleMarker(at: index) {
                fired.insert(.roleMarkers)
            }
            if !fired.contains(.addressedToModel), phrases.isAddressedToModel(at: index) {
                fired.insert(.addressedToModel)
            }
            if !exfiltrationByWords, phrases.isExfiltration(at: index) {
                exfiltrationByWords = true
            }
        }
        if !fired.contains(.roleMarkers), InjectionMarkers.containsRoleMarker(normalised.scalars) {
            fired.insert(.roleMarkers)
        }
        let exfiltrationByImage = InjectionMarkers.containsImageWithQuery(normalised.scalars)
        if normalised.tagCharacters > 0 { fired.insert(.tagCharacters) }
        if normalised.zeroWidthInWords >= 2 { fired.insert(.invisibleControls) }
        if normalised.bidiControls > 0 { fired.insert(.bidiControls) }
        if normalised.mixedScriptWords > 0 { fired.insert(.homoglyphs) }

        // The chance that every fired signal is a false alarm, were they independent.
        var clean = 1.0
        for signal in InjectionSignal.allCases where signal != .exfiltration && fired.contains(signal) {
            clean *= 1 - signal.weight
        }
        if exfiltrationByWords || exfiltrationByImage {
            fired.insert(.exfiltration)
            // Asking in words and planting an image are separate pieces of evidence.
            if exfiltrationByWords { clean *= 1 - InjectionSignal.exfiltration.weight }
            if exfiltrationByImage { clean *= 1 - InjectionSignal.exfiltration.weight }
        }
        let value = min(1, max(0, 1 - clean))
        let signals = InjectionSignal.allCases.filter { fired.contains($0) }.map(\.rawValue)
        return InjectionScore(value: value, signals: signals)
    }

    /// Precision and recall of the scorer on a labelled set, a text counting as flagged when its score reaches
    /// `threshold`. Precision is 1 when nothing was flagged, recall 1 when nothing is malicious.
    public static func evaluate(
        _ set: [(text: String, malicious: Bool)], threshold: Double
    ) -> (precision: Double, recall: Double, truePositives: Int, falsePositives: Int, falseNegatives: Int) {
        let scorer = InjectionScorer()
        var truePositives = 0
        var falsePositives = 0
        var falseNegatives = 0
        for sample in set {
            let flagged = scorer.score(sample.text).reaches(threshold)
            switch (flagged, sample.malicious) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }
        let flagged = truePositives + falsePositives
        let malicious = truePositives + falseNegatives
        let precision = flagged == 0 ? 1 : Double(truePositives) / Double(flagged)
        let recall = malicious == 0 ? 1 : Double(truePositives) / Double(malicious)
        return (precision, recall, truePositives, falsePositives, falseNegatives)
    }
}
