import SwitchyardCore
import SwitchyardWire

/// Conversation turns for dialects that require roles to alternate: content of one role in a row joins one turn.
struct AlternatingTurns {
    private(set) var turns: [(role: String, content: [JSONValue])] = []

    mutating func append(_ content: [JSONValue], role: String) {
        guard !content.isEmpty else { return }
        if turns.last?.role == role {
            turns[turns.count - 1].content.append(contentsOf: content)
        } else {
            turns.append((role, content))
        }
    }

    /// The turns as `{"role": ..., contentKey: [...]}` objects.
    func json(contentKey: String) -> JSONValue {
        .array(turns.map { .object(["role": .string($0.role), contentKey: .array($0.content)]) })
    }
}
