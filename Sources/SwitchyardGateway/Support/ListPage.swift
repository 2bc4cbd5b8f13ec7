import SwitchyardWire

/// A page of an OpenAI list: `{"object": "list", "data", "first_id", "last_id", "has_more"}`.
enum ListPage {
    static func json(_ items: [JSONValue], hasMore: Bool) -> JSONValue {
        [
            "object": "list", "data": .array(items), "first_id": items.first?["id"] ?? .null, "last_id": items.last?["id"] ?? .null,
            "has_more": .bool(hasMore),
        ]
    }
}
