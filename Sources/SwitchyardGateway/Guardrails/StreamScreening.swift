import SwitchyardCore
import SwitchyardGuardrails

/// Runs output guardrails over a streamed answer as it streams. Each text is given out up to a cut a little behind
/// what has arrived: at a boundary between words (or next to a character that is not ASCII), never inside what a
/// guardrail finds, so that an entity arriving in pieces is screened whole. What `redact` finds goes out as
/// placeholders, what `block` finds ends the stream with an error event before it is given out; verdicts on whole
/// texts (prompt injection) are given on each piece given out, a moderation model's on the whole answer when it
/// ends. Text inside JSON (tool-call arguments) is held until its part ends and screened as JSON, each string as a
/// string, so escapes are read as what they stand for and the arguments stay valid JSON.
struct StreamScreening: StreamTextRewriter {
    /// How far behind the end of what has arrived the cut stays: longer than any entity written with spaces (an
    /// IBAN in groups, a card number, a phone number).
    static let lookahead = 64
    /// The most of one text held back waiting for a boundary (a run without spaces longer than this, such as a
    /// long token, is cut inside).
    static let maximumHeld = 4096

    private(set) var screen: GuardrailScreen
    private var held: [String: [UInt8]] = [:]
    /// The keys whose text is JSON.
    private var jsonKeys: Set<String> = []
    /// Each text as given out so far, for a moderation model to judge whole.
    private var givenOut: [String: String] = [:]
    /// Judges the whole answer once it ends (moderation).
    private let judge: @Sendable (inout GuardrailScreen) async throws -> Void
    /// Notes what the guardrails did, once: when the answer ends, is refused, or stops early.
    private let note: @Sendable (GuardrailReport) -> Void
    private var noted = false

    init(
        screen: GuardrailScreen, judge: @escaping @Sendable (inout GuardrailScreen) async throws -> Void,
        note: @escaping @Sendable (GuardrailReport) -> Void
    ) {
        self.screen = screen
        self.judge = judge
        self.note = note
    }

    var heldKeys: [String] { held.filter { !$0.value.isEmpty }.map(\.key) }

    mutating func rewrite(_ delta: String, key: String, json: Bool) throws -> String {
        var bytes = held[key] ?? []
        bytes.append(contentsOf: delta.utf8)
        if json {
            jsonKeys.insert(key)
            held[key] = bytes
            return ""
        }
        let cut = cut(in: bytes)
        held[key] = Array(bytes[cut...])
        guard cut > 0 else { return "" }
        return try screened(String(decoding: bytes[..<cut], as: UTF8.self), key: key)
    }

    mutating func finish(_ key: String) throws -> String {
        guard let bytes = held.removeValue(forKey: key), !bytes.isEmpty else { return "" }
        let text = String(decoding: bytes, as: UTF8.self)
        guard jsonKeys.remove(key) != nil else { return try screened(text, key: key) }
        return try GuardedTexts.jsonText(text) { try screened($0, key: key) }
    }

    mutating func streamEnded() async throws {
        // Judged as whole texts, not as the pieces they were given out in.
        screen.screenedTexts = givenOut.keys.sorted().compactMap { givenOut[$0] }.filter { !$0.isEmpty }
        do {
            try await judge(&screen)
        } catch {
            noteOnce()
            throw error
        }
        noteOnce()
    }

    mutating func streamStopped() { noteOnce() }

    private mutating func noteOnce() {
        guard !noted else { return }
        noted = true
        note(screen.report)
    }

    private mutating func screened(_ text: String, key: String) throws -> String {
        do {
            let screened = try screen.screen(text)
            if !screen.moderators.isEmpty { givenOut[key, default: ""] += screened }
            return screened
        } catch {
            noteOnce()
            throw error
        }
    }

    /// How much of `bytes` can be given out now.
    func cut(in bytes: [UInt8]) -> Int {
        let limit = bytes.count - Self.lookahead
        guard limit > 0 else { return 0 }
        var cut = (1...limit).reversed().first { Self.isBoundary(bytes, at: $0) } ?? 0
        if cut == 0, bytes.count > Self.maximumHeld {
            cut = (1...limit).reversed().first { !Self.isContinuation(bytes[$0]) } ?? 0
        }
        // What a guardrail finds across the cut is held back whole, up to the most held (a find open to the end of
        // the text, such as a private-key block without its end, is then cut and screened in pieces).
        guard cut > 0, bytes.count <= Self.maximumHeld else { return cut }
        let text = String(decoding: bytes, as: UTF8.self)
        let spans = screen.guardrails.filter(\.detector.findsSpans).flatMap { $0.detector.detections(in: text) }.map(\.range)
        while let straddling = spans.first(where: { $0.lowerBound < cut && $0.upperBound > cut }) { cut = straddling.lowerBound }
        return cut
    }

    /// Whether a text may be cut before `bytes[index]`: after white space, or next to a character that is not ASCII
    /// (never inside one).
    static func isBoundary(_ bytes: [UInt8], at index: Int) -> Bool {
        let before = bytes[index - 1]
        let after = bytes[index]
        if Self.isContinuation(after) { return false }
        return before == 0x20 || before == 0x0A || before == 0x09 || before == 0x0D || after >= 0xC0 || before >= 0x80
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
