package import SwitchyardWire

/// A chat request's messages as context management sees them: the system and developer messages (never dropped),
/// the history as turns (a user message with the answers and tool results that follow it, so a tool call never
/// leaves its result), and the newest turn (from the last user message on), which is always sent.
package struct ContextLayout: Sendable {
    package let messages: [JSONValue]
    /// Indexes of system and developer messages, wherever they are.
    package let pinned: [Int]
    /// The history's turns, oldest first, each the indexes of its messages.
    package let turns: [[Int]]
    /// The indexes of the newest turn.
    package let newest: [Int]

    package init(_ messages: [JSONValue]) {
        self.messages = messages
        var pinned: [Int] = []
        var others: [Int] = []
        for (index, message) in messages.enumerated() {
            if let role = message["role"]?.string, role == "system" || role == "developer" { pinned.append(index) } else { others.append(index) }
        }
        let lastUser = others.lastIndex { messages[$0]["role"]?.string == "user" } ?? 0
        var turns: [[Int]] = []
        for index in others[..<lastUser] {
            if turns.isEmpty || messages[index]["role"]?.string == "user" { turns.append([index]) } else { turns[turns.count - 1].append(index) }
        }
        self.pinned = pinned
        self.turns = turns
        newest = Array(others[lastUser...])
    }

    /// The messages of `turns` (indexes into ``turns``) with the pinned messages and the newest turn, in their
    /// original order; `summary` goes after the leading pinned messages.
    package func messages(keeping kept: Set<Int>, summary: JSONValue? = nil) -> [JSONValue] {
        var chosen = Set(pinned).union(newest)
        for turn in kept { chosen.formUnion(turns[turn]) }
        var result: [JSONValue] = []
        var summaryPlaced = summary == nil
        for index in messages.indices where chosen.contains(index) {
            if !summaryPlaced, !pinned.contains(index), let summary {
                result.append(summary)
                summaryPlaced = true
            }
            result.append(messages[index])
        }
        if !summaryPlaced, let summary { result.append(summary) }
        return result
    }
}
