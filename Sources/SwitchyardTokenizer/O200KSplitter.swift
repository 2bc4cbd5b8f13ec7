/// Splits text like o200k_base's pattern (tiktoken_ext/openai_public.py), the alternatives joined by `|`:
///
///     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     \p{N}{1,3}
///      ?[^\s\p{L}\p{N}]+[\r\n/]*
///     \s*[\r\n]+
///     \s+(?!\S)
///     \s+
///
/// Nothing here is possessive, so the scans reproduce the backtracking: the optional prefix is tried taken, then not;
/// the head run gives back scalars until the tail can match one; whitespace gives back its last scalar before a
/// non-space. Alternatives are tried in order at each position (leftmost-first).
struct O200KSplitter: PieceSplitter {
    let scanner: ScalarScanner
    var position = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        scanner = ScalarScanner(base: base, count: count)
    }

    func pieceEnd(at start: Int) -> Int {
        let (first, firstLength) = scanner.scalar(at: start)
        let second = start &+ firstLength
        // The two word alternatives, first with the prefix scalar taken. A mark is both a possible prefix and a head
        // scalar: with it as the prefix only the first alternative is tried before retrying without the prefix.
        if first.isIn(.wordPrefix) && second < scanner.count,
            let end = wordEnd(from: second, allowingHeadOnly: first != .mark)
        {
            return end
        }
        if first.isIn(.letterOrMark), let end = wordEnd(from: start, allowingHeadOnly: true) { return end }
        // \p{N}{1,3}
        if first == .number { return scanner.numberEnd(from: second) }
        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        if scanner.byte(at: start, is: 0x20) && second < scanner.count {
            let (next, nextLength) = scanner.scalar(at: second)
            if next.isIn(.punctuation) { return scanner.punctuationEnd(from: second &+ nextLength, slash: true) }
        }
        if first.isIn(.punctuation) { return scanner.punctuationEnd(from: second, slash: true) }

        // Only whitespace is left.
        let run = scanner.whitespaceRun(from: start)
        // \s*[\r\n]+ : backtracks to just after the run's last newline.
        if let newlineEnd = run.lastNewlineEnd { return newlineEnd }
        // \s+(?!\S) : the whole run at the end of the text, else all but its last scalar (if it has two or more).
        if run.end == scanner.count { return run.end }
        if run.lastScalarStart > start { return run.lastScalarStart }
        // \s+
        return run.end
    }

    /// A word starting at `start` (after any prefix): the first alternative, head* tail+, else (if `allowingHeadOnly`)
    /// the second, head+ tail*, either followed by an optional contraction. Nil if neither matches.
    private func wordEnd(from start: Int, allowingHeadOnly: Bool) -> Int? {
        // Scan head* greedily, noting where the last scalar that is also a tail scalar (Lm, Lo, M) ends.
        var end = start
        var lastTailEnd: Int?
        var following = ScalarClass.other
        while end < scanner.count {
            let (kind, length) = scanner.scalar(at: end)
            guard kind.isIn(.casedHead) else {
                following = kind
                break
            }
            end &+= length
            if kind.isIn(.casedTail) { lastTailEnd = end }
        }
        // head* tail+ : a lowercase letter follows the head run, and the tail runs on from it.
        if end < scanner.count && following == .lowercase {
            return contracted(scanner.run(of: .casedTail, from: end))
        }
        // head* tail+ by backtracking: the head gives back scalars up to its last tail scalar, which is the whole tail
        // (the scalar after it is Lu, Lt or not a letter).
        if let lastTailEnd { return contracted(lastTailEnd) }
        // head+ tail* : the tail is empty, since the head run is followed by neither a head nor a lowercase scalar.
        if allowingHeadOnly && end > start { return contracted(end) }
        return nil
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `end`.
    @inline(__always)
    private func contracted(_ end: Int) -> Int {
        scanner.contractionEnd(at: end) ?? end
    }
}
