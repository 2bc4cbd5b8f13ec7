/// A trie of words and phrases as sequences of case-folded Unicode scalar values, a space standing for any run of
/// white space.
struct WordTrie: Sendable {
    private struct Node: Sendable {
        var children: [UInt32: Int] = [:]
        var endsWord = false
    }

    /// The scalar value that stands for white space.
    static let space: UInt32 = 0x20

    private var nodes = [Node()]

    /// The root node, where every word starts.
    var root: Int { 0 }

    var isEmpty: Bool { nodes.count == 1 }

    /// Adds a word or phrase, given as folded scalar values without leading or trailing white space.
    mutating func insert(_ key: [UInt32]) {
        guard !key.isEmpty else { return }
        var node = root
        for value in key {
            if let next = nodes[node].children[value] {
                node = next
            } else {
                let next = nodes.count
                nodes.append(Node())
                nodes[node].children[value] = next
                node = next
            }
        }
        nodes[node].endsWord = true
    }

    /// The node reached from `node` by `value`.
    func child(of node: Int, _ value: UInt32) -> Int? {
        guard nodes.indices.contains(node) else { return nil }
        return nodes[node].children[value]
    }

    /// Whether a word or phrase ends at `node`.
    func endsWord(at node: Int) -> Bool {
        nodes.indices.contains(node) && nodes[node].endsWord
    }
}
