import SwitchyardCore
import SwitchyardWire

/// Reads a conversation's `metadata` as OpenAI bounds it: at most 16 pairs of strings, keys up to 64 characters,
/// values up to 512.
enum ConversationMetadata {
    static let maximumPairs = 16
    static let maximumKeyLength = 64
    static let maximumValueLength = 512

    /// The pairs of `value`; none for a missing or null one.
    static func read(_ value: JSONValue?) throws(GatewayError) -> [String: String] {
        guard let value, !value.isNull else { return [:] }
        guard let object = value.object else { throw .badRequest("'metadata' must be an object of strings.", param: "metadata") }
        guard object.count <= maximumPairs else {
            throw .badRequest("'metadata' has \(object.count) keys; at most \(maximumPairs) are allowed.", param: "metadata")
        }
        var pairs: [String: String] = [:]
        for (key, value) in object {
            guard key.count <= maximumKeyLength else {
                throw .badRequest("'metadata' key '\(key.prefix(maximumKeyLength))…' is longer than \(maximumKeyLength) characters.", param: "metadata")
            }
            guard let text = value.string else { throw .badRequest("'metadata.\(key)' must be a string.", param: "metadata.\(key)") }
            guard text.count <= maximumValueLength else {
                throw .badRequest("'metadata.\(key)' is longer than \(maximumValueLength) characters.", param: "metadata.\(key)")
            }
            pairs[key] = text
        }
        return pairs
    }
}
