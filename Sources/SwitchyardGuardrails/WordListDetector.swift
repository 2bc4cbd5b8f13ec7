/// Finds words and phrases from a list, whole and regardless of case: not glued to a letter or digit on either side,
/// any run of white space in the text matching a space in a phrase. Each detection's kind is the detector's name.
///
/// The words go into a trie of case-folded scalars; the scan tries it only where a word may start, and takes the
/// longest word found there.
public struct WordListDetector: Sendable {
    /// The kind of every detection: the guardrail's name.
    public let name: String
    private let trie: WordTrie

    /// A detector named `name` for `words` (words or phrases; blank ones are ignored).
    public init(name: String, words: [String]) {
        self.name = name
        var trie = WordTrie()
        for word in words { trie.insert(ScalarFolding.key(word)) }
        self.trie = trie
    }

    /// The words and phrases found, sorted by start and not overlapping; ranges are UTF-8 byte offsets.
    public func detections(in text: String) -> [Detection] {
        guard !trie.isEmpty else { return [] }
        let scalars = Array(text.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        let keys = scalars.map(ScalarFolding.fold)
        let isWord = scalars.map(ScalarFolding.isWordCharacter)

        var found: [Detection] = []
        var index = 0
        while index < scalars.count {
            // Not glued to a word character before it (a word starting with punctuation may follow anything).
            let startsWord = index == 0 || !isWord[index - 1] || !isWord[index]
            if startsWord, keys[index] != WordTrie.space, let end = longestWord(from: index, keys: keys, isWord: isWord) {
                found.append(Detection(kind: name, range: offsets[index]..<offsets[end]))
                index = end
            } else {
                index += 1
            }
        }
        return found
    }

    /// The end (a scalar index) of the longest word starting at `start` that ends at a word boundary.
    private func longestWord(from start: Int, keys: [UInt32], isWord: [Bool]) -> Int? {
        var node = trie.root
        var index = start
        var best: Int?
        while index < keys.count, let next = trie.child(of: node, keys[index]) {
            node = next
            index += 1
            if keys[index - 1] == WordTrie.space {
                while index < keys.count, keys[index] == WordTrie.space { index += 1 }
            }
            if trie.endsWord(at: node), index == keys.count || !isWord[index] || !isWord[index - 1] {
                best = index
            }
        }
        return best
    }
}
