package import SwitchyardTokenizer

/// Cuts a text into chunks of at most `maxTokens` tokens, each starting `overlapTokens` or a little more before the
/// previous one ended, as OpenAI's static chunking strategy does. Chunks are cut between the tokenizer's pieces,
/// so no token or character is ever split; a single piece longer than `maxTokens` is a chunk of its own.
package struct TextChunker: Sendable {
    package let maxTokens: Int
    package let overlapTokens: Int
    let tokenizer: Tokenizer?

    /// `auto`: 800 tokens, 400 of overlap (OpenAI's default).
    package static let automatic = (maxTokens: 800, overlapTokens: 400)

    package init(maxTokens: Int, overlapTokens: Int, tokenizer: Tokenizer? = Tokenizer.cl100k) {
        self.maxTokens = max(1, maxTokens)
        self.overlapTokens = min(max(0, overlapTokens), self.maxTokens / 2)
        self.tokenizer = tokenizer
    }

    /// The chunks of `text`, in order; none for a text of whitespace only.
    package func chunks(of text: String) -> [String] {
        guard !text.allSatisfy(\.isWhitespace) else { return [] }
        // Without a vocabulary, about four bytes a token, cut at character boundaries.
        let pieces = tokenizer?.pieces(of: text) ?? text.map { character in (bytes: character.utf8.count, tokens: 1) }.map { piece in
            (bytes: piece.bytes, tokens: max(1, piece.bytes / 4))
        }
        var offsets = [0]
        offsets.reserveCapacity(pieces.count + 1)
        for piece in pieces { offsets.append(offsets[offsets.count - 1] + piece.bytes) }
        let utf8 = Array(text.utf8)
        var chunks: [String] = []
        var start = 0
        while start < pieces.count {
            var end = start
            var tokens = 0
            while end < pieces.count, end == start || tokens + pieces[end].tokens <= maxTokens {
                tokens += pieces[end].tokens
                end += 1
            }
            chunks.append(String(decoding: utf8[offsets[start]..<offsets[end]], as: UTF8.self))
            guard end < pieces.count else { break }
            // Back up over the last pieces until they cover the overlap, always moving forward.
            var next = end
            var overlap = 0
            while next > start + 1, overlap < overlapTokens {
                next -= 1
                overlap += pieces[next].tokens
            }
            start = next
        }
        return chunks.filter { !$0.allSatisfy(\.isWhitespace) }
    }
}
