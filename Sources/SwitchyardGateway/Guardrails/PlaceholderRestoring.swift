import NIOCore
import SwitchyardGuardrails
import SwitchyardWire

/// Puts the originals of `mask` guardrails' placeholders back into a streamed answer; each piece of text is given
/// out at once but for a tail that could still become a placeholder (never longer than one).
struct PlaceholderRestoring: StreamTextRewriter {
    private let template: PlaceholderRestorer
    /// For text inside JSON (tool arguments): the originals JSON-escaped, so the arguments stay valid JSON.
    private let jsonTemplate: PlaceholderRestorer
    /// One restorer per text.
    private var restorers: [String: PlaceholderRestorer] = [:]

    init(originals: [String: String]) {
        template = PlaceholderRestorer(originals: originals)
        jsonTemplate = PlaceholderRestorer(
            originals: originals.mapValues { original in String(String(buffer: JSONValue.string(original).encoded).dropFirst().dropLast()) })
    }

    var heldKeys: [String] { Array(restorers.keys) }

    mutating func rewrite(_ delta: String, key: String, json: Bool) -> String {
        var restorer = restorers[key] ?? (json ? jsonTemplate : template)
        let out = restorer.restore(delta: delta)
        restorers[key] = restorer
        return out
    }

    mutating func finish(_ key: String) -> String {
        guard var restorer = restorers.removeValue(forKey: key) else { return "" }
        return restorer.finish()
    }
}
