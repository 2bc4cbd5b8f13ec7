/// Splits text like cl100k_base's pattern (tiktoken_ext/openai_public.py):
///
///     '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
///
/// The alternatives are tried in order at each position, as the regex engine does (leftmost-first), each written as
/// the scan it amounts to: the possessive quantifiers never give anything back, and the whitespace alternatives are
/// decided from one scan of the whitespace run.
struct CL100KSplitter: PieceSplitter {
    let scanner: ScalarScanner
    var position = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        scanner = ScalarScanner(base: base, count: count)
    }

    func pieceEnd(at start: Int) -> Int {
        // '(?i:[sdmt]|ll|ve|re)
        if let end = scanner.contractionEnd(at: start) { return end }

        let (first, firstLength) = scanner.scalar(at: start)
        let second = start &+ firstLength
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if first.isIn(.letter) { return scanner.run(of: .letter, from: second) }
        if first.isIn(.wordPrefix) && second < scanner.count {
            let (next, nextLength) = scanner.scalar(at: second)
            if next.isIn(.letter) { return scanner.run(of: .letter, from: second &+ nextLength) }
        }
        // \p{N}{1,3}+
        if first == .number { return scanner.numberEnd(from: second) }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        if scanner.byte(at: start, is: 0x20) && second < scanner.count {
            let (next, nextLength) = scanner.scalar(at: second)
            if next.isIn(.punctuation) { return scanner.punctuationEnd(from: second &+ nextLength, slash: false) }
        }
        if first.isIn(.punctuation) { return scanner.punctuationEnd(from: second, slash: false) }

        // Only whitespace is left.
        let run = scanner.whitespaceRun(from: start)
        // \s++$ : the run reaches the end of the text.
        if run.end == scanner.count { return run.end }
        // \s*[\r\n] : backtracks to just after the run's last newline.
        if let newlineEnd = run.lastNewlineEnd { return newlineEnd }
        // \s+(?!\S) : the run is followed by a non-space, so it gives back its last scalar (if it has two or more).
        if run.lastScalarStart > start { return run.lastScalarStart }
        // \s
        return second
    }
}
