public import SwitchyardWire

/// What changed between two versions of a prompt: each definition field that differs, with its old and new value,
/// and for text fields (`template`, `system`) the lines taken out (`- `) and put in (`+ `).
public enum PromptDiff {
    public static func between(_ old: JSONValue, _ new: JSONValue, from: Int, to: Int) -> JSONValue {
        let before = old.object ?? [:]
        let after = new.object ?? [:]
        var changes: [JSONValue] = []
        for field in Set(before.keys).union(after.keys).sorted() where before[field] != after[field] {
            var change: [String: JSONValue] = ["field": .string(field), "from": before[field] ?? .null, "to": after[field] ?? .null]
            if let oldText = before[field]?.string ?? (before[field] == nil ? "" : nil),
                let newText = after[field]?.string ?? (after[field] == nil ? "" : nil)
            {
                change["lines"] = .array(lines(from: oldText, to: newText).map(JSONValue.string))
            }
            changes.append(.object(change))
        }
        return ["from": .integer(Int64(from)), "to": .integer(Int64(to)), "changes": .array(changes)]
    }

    /// The lines of `old` taken out (`- line`) and of `new` put in (`+ line`), in order.
    static func lines(from old: String, to new: String) -> [String] {
        let oldLines = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let newLines = new.isEmpty ? [] : new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let difference = newLines.difference(from: oldLines)
        var removed: [Int: String] = [:]
        var inserted: [Int: String] = [:]
        for change in difference {
            switch change {
            case .remove(let offset, let element, _): removed[offset] = element
            case .insert(let offset, let element, _): inserted[offset] = element
            }
        }
        return removed.keys.sorted().map { "- " + (removed[$0] ?? "") } + inserted.keys.sorted().map { "+ " + (inserted[$0] ?? "") }
    }
}
