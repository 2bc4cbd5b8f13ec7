import Foundation

/// Encodes text into token ids, and counts them, exactly as OpenAI's tiktoken does for one encoding.
///
/// Encoding is tiktoken's `encode_ordinary`: the text of special tokens such as `<|endoftext|>` is encoded as
/// ordinary text, never as the special token. A tokenizer is immutable and safe to share between tasks.
///
/// ```swift
/// if let tokenizer = Encoding.forModel("gpt-4o").flatMap({ Tokenizer.for($0) }) {
///     let tokens = tokenizer.count(prompt)
/// }
/// ```
public final class Tokenizer: Sendable {
    /// The encoding whose vocabulary and split pattern this tokenizer applies.
    public let encoding: Encoding
    let vocabulary: Vocabulary

    init(encoding: Encoding, vocabulary: Vocabulary) {
        self.encoding = encoding
        self.vocabulary = vocabulary
    }

    /// Loads a tokenizer for `encoding` from a `.tiktoken` vocabulary file (one `base64(token) rank` per line).
    public convenience init(encoding: Encoding, contentsOfFile path: String) throws {
        try self.init(encoding: encoding, url: URL(fileURLWithPath: path))
    }

    convenience init(encoding: Encoding, url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableVocabulary(path: url.path, reason: "\(error)")
        }
        let vocabulary = try Vocabulary.parse(data)
        self.init(encoding: encoding, vocabulary: vocabulary)
    }

    /// The shared cl100k_base tokenizer, loaded from the module's bundled vocabulary on first use (tens of
    /// milliseconds). Nil only if that vocabulary cannot be read, which a correctly built package never sees.
    public static let cl100k: Tokenizer? = try? Tokenizer.load(.cl100k)

    /// The shared o200k_base tokenizer, loaded from the module's bundled vocabulary on first use (tens of
    /// milliseconds). Nil only if that vocabulary cannot be read, which a correctly built package never sees.
    public static let o200k: Tokenizer? = try? Tokenizer.load(.o200k)

    /// The shared tokenizer of `encoding` (``cl100k`` or ``o200k``); nil only if its vocabulary cannot be read.
    public static func `for`(_ encoding: Encoding) -> Tokenizer? {
        switch encoding {
        case .cl100k: Tokenizer.cl100k
        case .o200k: Tokenizer.o200k
        }
    }

    /// Loads a new tokenizer from the module's bundled vocabulary, reporting why it cannot. Prefer the shared
    /// ``cl100k`` and ``o200k``: each load parses the vocabulary again.
    public static func load(_ encoding: Encoding) throws -> Tokenizer {
        guard let url = Bundle.module.url(forResource: encoding.rawValue, withExtension: "tiktoken") else {
            throw TokenizerError.missingVocabulary(name: encoding.rawValue)
        }
        return try Tokenizer(encoding: encoding, url: url)
    }

    /// The token ids of `text`, as tiktoken's `encode_ordinary` returns them.
    public func encode(_ text: String) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count / 4 + 1)
        forEachToken(in: text) { tokens.append(Int($0)) }
        return tokens
    }

    /// The number of tokens in `text`: `encode(text).count`, without building the array.
    public func count(_ text: String) -> Int {
        var count = 0
        forEachToken(in: text) { _ in count &+= 1 }
        return count
    }

    /// Each piece of `text` in order (the pre-tokenizer's split, which tokens never cross): its length in UTF-8
    /// bytes and its tokens. Cutting a text between pieces never splits a token or a character.
    public func pieces(of text: String) -> [(bytes: Int, tokens: Int)] {
        var pieces: [(bytes: Int, tokens: Int)] = []
        var encoder = BytePairEncoder()
        let vocabulary = self.vocabulary
        PreTokenizer.forEachPiece(of: text, encoding: encoding) { piece in
            var tokens = 0
            encoder.encode(piece, vocabulary: vocabulary) { _ in tokens &+= 1 }
            pieces.append((piece.count, tokens))
        }
        return pieces
    }

    /// Calls `body` with each token id of `text`, in order.
    func forEachToken(in text: String, _ body: (UInt32) -> Void) {
        var encoder = BytePairEncoder()
        let vocabulary = self.vocabulary
        PreTokenizer.forEachPiece(of: text, encoding: encoding) { piece in
            encoder.encode(piece, vocabulary: vocabulary, emit: body)
        }
    }
}
