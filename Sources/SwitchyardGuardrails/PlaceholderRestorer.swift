/// Puts the originals back in place of placeholders (`[EMAIL_1]` → `jane@example.com`) in an answer, whole or as it
/// streams.
///
/// Streaming, each delta's text is given out at once except a tail that could still become a placeholder: from its
/// last `[`, when that is the beginning of a known placeholder. What is held back is therefore always shorter than
/// the longest placeholder; `finish()` gives it out at the end.
public struct PlaceholderRestorer: Sendable {
    private let originals: [String: String]
    /// Every proper prefix of every placeholder.
    private let prefixes: Set<[UInt8]>
    /// The longest placeholder's length in UTF-8 bytes.
    public let longestPlaceholder: Int
    private var held: [UInt8] = []

    /// A restorer for `originals`, placeholder → the text it stands for.
    public init(originals: [String: String]) {
        self.originals = originals
        var prefixes: Set<[UInt8]> = []
        var longest = 0
        for placeholder in originals.keys {
            let bytes = Array(placeholder.utf8)
            longest = max(longest, bytes.count)
            for length in 1..<max(bytes.count, 1) { prefixes.insert(Array(bytes[..<length])) }
        }
        self.prefixes = prefixes
        longestPlaceholder = longest
    }

    /// A restorer for the placeholders `numbering` handed out.
    public init(numbering: PlaceholderNumbering) {
        self.init(originals: numbering.originals)
    }

    /// The text held back, waiting to see whether it becomes a placeholder.
    public var heldBack: String { String(decoding: held, as: UTF8.self) }

    /// `text` with every known placeholder replaced by its original.
    public func restore(_ text: String) -> String {
        guard !originals.isEmpty else { return text }
        return String(decoding: restored(Array(text.utf8)[...]), as: UTF8.self)
    }

    /// The text to give out now for the next `delta` of a streamed answer, placeholders restored; a tail that may
    /// still become a placeholder is held back for the next delta or `finish()`.
    public mutating func restore(delta: String) -> String {
        guard !originals.isEmpty else { return delta }
        var buffer = held
        buffer.append(contentsOf: delta.utf8)
        held = []
        if let open = buffer.lastIndex(of: UInt8(ascii: "[")), buffer.count - open < longestPlaceholder,
            prefixes.contains(Array(buffer[open...]))
        {
            held = Array(buffer[open...])
            return String(decoding: restored(buffer[..<open]), as: UTF8.self)
        }
        return String(decoding: restored(buffer[...]), as: UTF8.self)
    }

    /// What is still held back at the end of the stream, which never became a placeholder.
    public mutating func finish() -> String {
        defer { held = [] }
        return String(decoding: held, as: UTF8.self)
    }

    private func restored(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let byte = bytes[position]
            if byte == UInt8(ascii: "["), let found = placeholder(in: bytes, at: position) {
                output.append(contentsOf: found.original.utf8)
                position = found.end
            } else {
                output.append(byte)
                position += 1
            }
        }
        return output
    }

    /// The original of the placeholder starting at `start`, and where the placeholder ends.
    private func placeholder(in bytes: ArraySlice<UInt8>, at start: Int) -> (original: String, end: Int)? {
        let limit = min(bytes.endIndex, start + longestPlaceholder)
        var position = start + 1
        while position < limit {
            switch bytes[position] {
            case UInt8(ascii: "]"):
                let candidate = String(decoding: bytes[start...position], as: UTF8.self)
                guard let original = originals[candidate] else { return nil }
                return (original, position + 1)
            case UInt8(ascii: "["):
                return nil
            default:
                position += 1
            }
        }
        return nil
    }
}
