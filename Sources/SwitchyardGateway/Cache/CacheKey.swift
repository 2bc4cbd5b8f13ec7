import NIOCore
public import SwitchyardCore
import SwitchyardWire

/// Where a request's answer is kept: the scope of the caller's tenant and the exact key of the request.
///
/// The key is the public model plus the hub request without the members that do not change the answer (`stream`,
/// `stream_options`, `user`, `metadata`), written canonically, so member order does not matter, and so the same
/// question through Chat Completions, Messages or a Responses turn (all translated to the hub) shares one entry.
public struct CacheKey: Sendable, Equatable {
    public let scope: String
    public let key: String

    /// Members of a request that do not change its answer.
    static let ignoredMembers: Set<String> = ["stream", "stream_options", "user", "metadata"]

    /// The members of a Messages body its hub translation carries (or that do not change the answer).
    static let translatedNativeMembers: Set<String> = [
        "model", "messages", "system", "max_tokens", "temperature", "top_p", "stream", "stop_sequences", "metadata", "tools", "tool_choice",
    ]

    /// Nil when the request has no hub form to key on (it could not be expressed in the hub dialect).
    public init?(_ request: ChatRequest, caller: Caller?) {
        // Scanned, not decoded: the key is made from the body's own bytes.
        guard request.hubError == nil, let document = try? TopLevelJSON(scanning: request.body), document.rootKind == .object else { return nil }
        // Several choices and log probabilities are not kept in an entry: such requests are not cached.
        if let choices = document.member("n").flatMap(document.integer), choices > 1 { return nil }
        if document.member("logprobs").flatMap(document.bool) == true { return nil }
        var replacing = ["model": JSONString.quoted(request.model)]
        // What a client's own body carries beyond its hub translation (Anthropic's `thinking`, `top_k` ...) still
        // reaches an upstream of its dialect, so it is part of the key; a body with nothing more shares the hub's key.
        if let (name, extra) = Self.nativeOnlyMembers(of: request) {
            guard let canonical = CanonicalJSON.bytes(of: extra) else { return nil }
            replacing[name] = canonical
        }
        guard let canonical = CanonicalJSON.bytes(of: request.body, dropping: Self.ignoredMembers, replacing: replacing) else { return nil }
        scope = caller.tenantScope
        key = ContentDigest.hex(canonical)
    }

    /// The members of the client's own body that its hub translation does not carry, under the name they take in
    /// a key; nil when there are none (or no native body).
    static func nativeOnlyMembers(of request: ChatRequest) -> (name: String, members: JSONValue)? {
        guard let native = request.native, case .object(let members)? = try? JSONValue(decoding: native.body) else { return nil }
        let extra = members.filter { !translatedNativeMembers.contains($0.key) }
        return extra.isEmpty ? nil : ("x-native-" + native.dialect.rawValue, .object(extra))
    }

    init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}
