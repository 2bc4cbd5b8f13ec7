/// Splits a text's UTF-8 into the pieces an encoding's pattern matches, left to right, each piece then encoded on its
/// own. Every scalar belongs to exactly one piece, so the pieces tile the text.
protocol PieceSplitter {
    /// A splitter over the `count` bytes at `base`, which must stay valid while it is used.
    init(base: UnsafePointer<UInt8>, count: Int)

    var scanner: ScalarScanner { get }
    /// Where the next piece starts.
    var position: Int { get set }

    /// Where the piece starting at `start` ends: the pattern's alternatives tried in order.
    func pieceEnd(at start: Int) -> Int
}

extension PieceSplitter {
    /// The byte range of the next piece, or nil at the end of the text.
    mutating func next() -> Range<Int>? {
        let start = position
        guard start < scanner.count else { return nil }
        let end = pieceEnd(at: start)
        // Every branch consumes at least one scalar; the guard only keeps a bug from looping forever.
        position = end > start ? end : start &+ 1
        return start..<position
    }
}
