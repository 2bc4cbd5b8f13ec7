import SwitchyardTokenizer
import Testing

@testable import SwitchyardGateway

@Suite("Chunking text by tokens")
struct TextChunkerTests {
    static let tokenizer = Tokenizer.cl100k
    static let sentence = "The gateway routes each request to the cheapest healthy upstream that serves its model. "

    @Test("chunks hold at most max tokens, overlap by at least the overlap, cover the whole text in order")
    func boundariesAndOverlap() throws {
        let tokenizer = try #require(Self.tokenizer)
        let text = String(repeating: Self.sentence, count: 40)
        let chunker = TextChunker(maxTokens: 100, overlapTokens: 30, tokenizer: tokenizer)
        let chunks = chunker.chunks(of: text)
        #expect(chunks.count > 5)
        for chunk in chunks { #expect(tokenizer.count(chunk) <= 100) }
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            // The next chunk starts inside the previous one, at least 30 tokens before its end.
            let shared = String(previous.commonSuffixWithPrefix(of: next))
            #expect(tokenizer.count(shared) >= 30, "overlap of \(tokenizer.count(shared)) tokens")
        }
        let first = try #require(chunks.first)
        let last = try #require(chunks.last)
        #expect(text.hasPrefix(first) && text.hasSuffix(last))
    }

    @Test("no overlap: the chunks concatenate back to the text")
    func noOverlap() throws {
        let tokenizer = try #require(Self.tokenizer)
        let text = String(repeating: "Grüße aus 東京! 🚀 ", count: 200)
        let chunks = TextChunker(maxTokens: 64, overlapTokens: 0, tokenizer: tokenizer).chunks(of: text)
        #expect(chunks.joined() == text)
        #expect(chunks.allSatisfy { tokenizer.count($0) <= 64 })
    }

    @Test("a short text is one chunk; whitespace alone is none; the overlap is at most half the chunk")
    func edges() throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(TextChunker(maxTokens: 800, overlapTokens: 400, tokenizer: tokenizer).chunks(of: "Hello world.") == ["Hello world."])
        #expect(TextChunker(maxTokens: 800, overlapTokens: 400, tokenizer: tokenizer).chunks(of: " \n\t ").isEmpty)
        #expect(TextChunker(maxTokens: 100, overlapTokens: 90, tokenizer: tokenizer).overlapTokens == 50)
        #expect(TextChunker(maxTokens: 0, overlapTokens: -5, tokenizer: tokenizer).maxTokens == 1)
    }

    @Test("a piece longer than the chunk (a run of letters, unspaced Japanese) is cut at character boundaries to fit")
    func oversizedPieces() throws {
        let tokenizer = try #require(Self.tokenizer)
        for text in [String(repeating: "x", count: 3_000), String(repeating: "日本語のテキストです", count: 60), String(repeating: "🚀", count: 400)] {
            #expect(tokenizer.pieces(of: text).contains { $0.tokens > 100 }, "the text has an oversized piece: \(text.prefix(3))")
            let chunks = TextChunker(maxTokens: 100, overlapTokens: 0, tokenizer: tokenizer).chunks(of: text)
            #expect(chunks.count > 1)
            #expect(chunks.joined() == text, "nothing lost, no character split")
            // Token counts of a cut piece are estimates; a chunk stays close to its size.
            for chunk in chunks { #expect(tokenizer.count(chunk) <= 110, "\(tokenizer.count(chunk)) tokens") }
        }
    }

    @Test("pieces carry each token once: their tokens add up to the text's count")
    func pieces() throws {
        let tokenizer = try #require(Self.tokenizer)
        let text = String(repeating: Self.sentence + "日本語のテキスト。", count: 5)
        let pieces = tokenizer.pieces(of: text)
        #expect(pieces.reduce(0) { $0 + $1.tokens } == tokenizer.count(text))
        #expect(pieces.reduce(0) { $0 + $1.bytes } == text.utf8.count)
    }
}

extension String {
    /// The longest suffix of `self` that is also a prefix of `other`.
    func commonSuffixWithPrefix(of other: String) -> Substring {
        var length = Swift.min(count, other.count)
        while length > 0 {
            if suffix(length) == other.prefix(length) { return suffix(length) }
            length -= 1
        }
        return ""
    }
}
