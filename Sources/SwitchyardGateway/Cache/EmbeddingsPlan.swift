import SwitchyardCore
import SwitchyardWire

/// How the cache takes part in an embeddings request: one entry per input string, keyed on the model, the rest of
/// the request (dimensions, encoding format) and that string, in the caller's tenant.
struct EmbeddingsPlan: Sendable {
    let model: String
    let scope: String
    let settings: CacheSettings
    let control: CacheControl
    /// The request without its `input`.
    let members: [String: JSONValue]
    let inputs: [String]
    /// The key of each input, in order.
    let keys: [String]

    /// Nil when `input` is not a string or an array of strings (token arrays are sent on uncached).
    init?(_ request: EmbeddingRequest, scope: String, settings: CacheSettings, control: CacheControl) {
        guard case .object(var members)? = try? JSONValue(decoding: request.body) else { return nil }
        let inputs: [String]
        switch members["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty:
            let texts = items.compactMap(\.string)
            guard texts.count == items.count else { return nil }
            inputs = texts
        default: return nil
        }
        members["input"] = nil
        members["user"] = nil
        members["model"] = .string(request.model)
        self.model = request.model
        self.scope = scope
        self.settings = settings
        self.control = control
        self.members = members
        self.inputs = inputs
        var keys: [String] = []
        for input in inputs {
            var keyed = members
            keyed["input"] = .string(input)
            guard let canonical = CanonicalJSON.bytes(of: .object(keyed)) else { return nil }
            keys.append("embedding:" + ContentDigest.hex(canonical))
        }
        self.keys = keys
    }
}
