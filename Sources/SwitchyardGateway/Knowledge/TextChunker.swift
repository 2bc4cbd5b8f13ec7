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
        let utf8 = Array(text.utf8)
        let pieces = split(
            tokenizer?.pieces(of: text) ?? text.map { character in (bytes: character.utf8.count, tokens: max(1, character.utf8.count / 4)) },
            of: utf8)
        var offsets = [0]
        offsets.reserveCapacity(pieces.count + 1)
        for piece in pieces { offsets.append(offsets[offsets.count - 1] + piece.bytes) }
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

    /// `pieces` with each one of more than `maxTokens` tokens (a long run of letters, unspaced CJK or Thai) cut into
    /// parts of about equal length that fit, at character boundaries: a chunk never outgrows its size.
    func split(_ pieces: [(bytes: Int, tokens: Int)], of utf8: [UInt8]) -> [(bytes: Int, tokens: Int)] {
        guard pieces.contains(where: { $0.tokens > maxTokens }) else { return pieces }
        var result: [(bytes: Int, tokens: Int)] = []
        var offset = 0
        for piece in pieces {
            defer { offset += piece.bytes }
            guard piece.tokens > maxTokens else {
                result.append(piece)
                continue
            }
            let parts = (piece.tokens + maxTokens - 1) / maxTokens
            let end = offset + piece.bytes
            var start = offset
            var tokensLeft = piece.tokens
            for part in 1...parts where start < end {
                var cut = part == parts ? end : min(end, offset + piece.bytes * part / parts)
                // Never inside a character's bytes.
                while cut < end, utf8[cut] & 0xC0 == 0x80 { cut += 1 }
                guard cut > start else { continue }
                // Tokens in proportion to bytes (the last part takes what is left): each part fits.
                let tokens = part == parts ? max(1, tokensLeft) : max(1, min(tokensLeft, piece.tokens * (cut - start) / piece.bytes))
                result.append((cut - start, tokens))
                tokensLeft -= tokens
                start = cut
            }
        }
        return result
    }
}
