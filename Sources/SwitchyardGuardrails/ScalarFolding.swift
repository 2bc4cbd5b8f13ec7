/// How `WordListDetector` compares Unicode scalars: case-insensitively (a scalar whose lowercase is a single
/// scalar compares as that one), white space as one class, letters and numbers as word characters.
enum ScalarFolding {
    static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        if isSpace(scalar) { return WordTrie.space }
        if value < 0x80 {
            return value >= 0x41 && value <= 0x5A ? value + 0x20 : value
        }
        guard scalar.properties.changesWhenLowercased else { return value }
        let lowercase = scalar.properties.lowercaseMapping.unicodeScalars
        if let first = lowercase.first, lowercase.count == 1 { return first.value }
        return value
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// A word or phrase as trie keys: folded, white-space runs as one space, none at either end.
    static func key(_ word: String) -> [UInt32] {
        var key: [UInt32] = []
        var pendingSpace = false
        for scalar in word.unicodeScalars {
            if isSpace(scalar) {
                pendingSpace = !key.isEmpty
                continue
            }
            if pendingSpace { key.append(WordTrie.space) }
            pendingSpace = false
            key.append(fold(scalar))
        }
        return key
    }
}
