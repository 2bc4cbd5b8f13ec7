/// Runs an encoding's splitter over a text: the pre-tokenization step that precedes byte-pair encoding.
enum PreTokenizer {
    /// Calls `body` with the UTF-8 bytes of each piece of `text`, in order; the buffers are valid only during the call.
    @inline(__always)
    static func forEachPiece(
        of text: String, encoding: Encoding, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var text = text
        // Contiguous UTF-8 (native strings already are); no copy unless the string is bridged.
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            switch encoding {
            case .cl100k: run(CL100KSplitter(base: base, count: utf8.count), base: base, body)
            case .o200k: run(O200KSplitter(base: base, count: utf8.count), base: base, body)
            }
        }
    }

    /// The pieces of `text` as strings, for tests and diagnostics.
    static func pieces(of text: String, encoding: Encoding) -> [String] {
        var pieces: [String] = []
        forEachPiece(of: text, encoding: encoding) { pieces.append(String(decoding: $0, as: UTF8.self)) }
        return pieces
    }

    @inline(__always)
    private static func run<Splitter: PieceSplitter>(
        _ splitter: Splitter, base: UnsafePointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var splitter = splitter
        while let range = splitter.next() {
            body(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        }
    }
}
