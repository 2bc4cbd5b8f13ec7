import Foundation
import SwitchyardTesting
import Testing

@testable import SwitchyardTokenizer

@Suite("Tokenizer matches tiktoken")
struct TokenizerTests {
    @Test("the corpus fixture loads with all its samples")
    func corpusLoads() {
        #expect(CorpusSample.all.count >= 60)
    }

    @Test("every corpus text encodes to exactly tiktoken's ids", arguments: Encoding.allCases, CorpusSample.all)
    func corpus(_ encoding: Encoding, _ sample: CorpusSample) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        #expect(tokenizer.encode(sample.text) == sample.ids(encoding))
    }

    @Test("count equals the number of ids encode returns", arguments: Encoding.allCases, CorpusSample.all)
    func countMatchesEncode(_ encoding: Encoding, _ sample: CorpusSample) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        #expect(tokenizer.count(sample.text) == tokenizer.encode(sample.text).count)
        #expect(tokenizer.count(sample.text) == sample.ids(encoding).count)
    }

    @Test("special-token text is encoded as ordinary text", arguments: Encoding.allCases)
    func specialTokenText(_ encoding: Encoding) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        let ids = tokenizer.encode("<|endoftext|>")
        #expect(ids.count > 1)
        #expect(!ids.contains(encoding == .cl100k ? 100_257 : 199_999))
    }

    @Test("the empty string has no tokens", arguments: Encoding.allCases)
    func emptyText(_ encoding: Encoding) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        #expect(tokenizer.encode("").isEmpty)
        #expect(tokenizer.count("") == 0)
    }

    @Test("random texts count as many tokens as they encode to", arguments: Encoding.allCases)
    func randomCounts(_ encoding: Encoding) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        var generator = SeededGenerator(seed: 0xC0FFEE)
        for _ in 0..<200 {
            let text = RandomText.make(using: &generator)
            #expect(tokenizer.count(text) == tokenizer.encode(text).count, "\(text.debugDescription)")
        }
    }
}

@Suite("Pre-tokenization splits like tiktoken's patterns")
struct PreTokenizerTests {
    @Test("pre-tokenized pieces are non-empty and concatenate back to the input", arguments: Encoding.allCases)
    func piecesTileTheText(_ encoding: Encoding) {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<400 {
            let text = RandomText.make(using: &generator)
            let pieces = PreTokenizer.pieces(of: text, encoding: encoding)
            #expect(!pieces.contains(""), "\(text.debugDescription)")
            #expect(Array(pieces.joined().utf8) == Array(text.utf8), "\(text.debugDescription)")
        }
    }

    @Test(
        "cl100k_base splits words, contractions, numbers and whitespace as its pattern does",
        arguments: [
            ("Hello world", ["Hello", " world"]),
            ("a   b", ["a", "  ", " b"]),
            ("x  \n\n  y", ["x", "  \n\n", " ", " y"]),
            ("end  \n  ", ["end", "  \n  "]),
            ("I'M here", ["I", "'M", " here"]),
            (" 123456", [" ", "123", "456"]),
            ("foo.\n\nbar", ["foo", ".\n\n", "bar"]),
            ("\tx", ["\tx"]),
            ("CamelCase HTTPServer's", ["CamelCase", " HTTPServer", "'s"]),
        ])
    func cl100kPieces(_ text: String, _ expected: [String]) {
        #expect(PreTokenizer.pieces(of: text, encoding: .cl100k) == expected)
    }

    @Test(
        "o200k_base splits on case, keeps contractions with their word and ends punctuation with slashes",
        arguments: [
            ("Hello world", ["Hello", " world"]),
            ("x  \n\n  y", ["x", "  \n\n", " ", " y"]),
            ("end  \n  ", ["end", "  \n", "  "]),
            ("I'M here", ["I'M", " here"]),
            ("CamelCase HTTPServer's", ["Camel", "Case", " HTTPServer's"]),
            ("path/to/\n/x", ["path", "/to", "/\n/", "x"]),
            (" 123456", [" ", "123", "456"]),
            ("e\u{301}'S", ["e\u{301}'S"]),
        ])
    func o200kPieces(_ text: String, _ expected: [String]) {
        let pieces = PreTokenizer.pieces(of: text, encoding: .o200k)
        #expect(pieces.map { Array($0.unicodeScalars) } == expected.map { Array($0.unicodeScalars) })
    }

    @Test("the White_Space and CJK fast paths agree with the scalar properties")
    func classificationFastPaths() {
        var mismatches: [UInt32] = []
        for value in UInt32(0x80)...0x10_FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if ScalarClass.of(value).isIn(.whitespace) != scalar.properties.isWhitespace { mismatches.append(value) }
        }
        for range in [0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x3041...0x3096, 0x30A1...0x30FA] as [ClosedRange<UInt32>] {
            for value in range where Unicode.Scalar(value)?.properties.generalCategory != .otherLetter {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
    }
}

@Suite("Byte-pair merging and vocabularies")
struct BytePairEncoderTests {
    @Test("the heap merge for long pieces picks the same pairs as tiktoken's scan", arguments: Encoding.allCases)
    func heapMatchesScan(_ encoding: Encoding) throws {
        let tokenizer = try #require(Tokenizer.for(encoding))
        var generator = SeededGenerator(seed: 7)
        let texts = (0..<200).map { _ in RandomText.make(using: &generator) } + CorpusSample.all.map(\.text)
        for text in texts {
            var scan = BytePairEncoder(heapThreshold: .max)
            var heap = BytePairEncoder(heapThreshold: 0)
            var viaScan: [UInt32] = []
            var viaHeap: [UInt32] = []
            PreTokenizer.forEachPiece(of: text, encoding: encoding) { piece in
                scan.encode(piece, vocabulary: tokenizer.vocabulary) { viaScan.append($0) }
                heap.encode(piece, vocabulary: tokenizer.vocabulary) { viaHeap.append($0) }
            }
            #expect(viaHeap == viaScan, "\(text.debugDescription)")
        }
    }

    @Test("a small vocabulary merges the lowest-ranked pair first")
    func smallVocabulary() throws {
        var lines = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        lines += ["YWI= 256", "YmM= 257", "YWJj 258"]  // "ab", "bc", "abc"
        let vocabulary = try Vocabulary.parse(Data(lines.joined(separator: "\n").utf8))
        #expect(vocabulary.count == 259)
        let tokenizer = Tokenizer(encoding: .cl100k, vocabulary: vocabulary)
        #expect(tokenizer.encode("abcd") == [258, 100])
        #expect(tokenizer.encode("bcab") == [257, 256])
        #expect(tokenizer.encode("abc") == [258])
    }

    @Test("the bundled vocabularies have the sizes tiktoken reports")
    func bundledSizes() throws {
        #expect(try #require(Tokenizer.cl100k).vocabulary.count == 100_256)
        #expect(try #require(Tokenizer.o200k).vocabulary.count == 199_998)
    }

    @Test("an unreadable vocabulary file throws instead of crashing")
    func unreadableFile() {
        #expect(throws: TokenizerError.self) {
            try Tokenizer(encoding: .cl100k, contentsOfFile: "/nonexistent/cl100k_base.tiktoken")
        }
    }

    @Test(
        "malformed and incomplete vocabularies are refused",
        arguments: ["", "QQ== x\n", "@@@@ 1\n", "QQ==\n", "QQ== 99999999999\n", "QQ== 0\n"])
    func malformedVocabulary(_ contents: String) {
        #expect(throws: TokenizerError.self) { try Vocabulary.parse(Data(contents.utf8)) }
    }
}

@Suite("Model names map to tiktoken's encodings")
struct EncodingTests {
    @Test(
        "known model names map as tiktoken maps them, others to nil",
        arguments: [
            ("gpt-4o", .o200k), ("gpt-4o-mini-2024-07-18", .o200k), ("chatgpt-4o-latest", .o200k),
            ("gpt-4.1", .o200k), ("gpt-4.1-nano", .o200k), ("gpt-4.5-preview", .o200k), ("gpt-5", .o200k),
            ("gpt-5-mini", .o200k), ("o1", .o200k), ("o1-preview", .o200k), ("o3-mini", .o200k), ("o4-mini", .o200k),
            ("gpt-oss-120b", .o200k), ("openai/gpt-4o", .o200k), ("ft:gpt-4o-mini:acme::abc123", .o200k),
            ("GPT-4o", .o200k), ("gpt-4", .cl100k), ("gpt-4-0613", .cl100k), ("gpt-4-turbo", .cl100k),
            ("gpt-4-32k", .cl100k), ("gpt-3.5-turbo", .cl100k), ("gpt-3.5-turbo-16k", .cl100k),
            ("gpt-35-turbo", .cl100k), ("text-embedding-3-small", .cl100k), ("text-embedding-3-large", .cl100k),
            ("text-embedding-ada-002", .cl100k), ("ft:gpt-3.5-turbo:acme::xyz", .cl100k),
            ("claude-sonnet-4", nil), ("gemini-2.5-pro", nil), ("o10", nil), ("omni", nil), ("text-davinci-003", nil),
            ("", nil),
        ] as [(String, Encoding?)])
    func modelMapping(_ model: String, _ expected: Encoding?) {
        #expect(Encoding.forModel(model) == expected)
    }

    @Test("each encoding's raw value is tiktoken's name", arguments: Encoding.allCases)
    func rawValues(_ encoding: Encoding) {
        #expect(Encoding(rawValue: encoding.rawValue) == encoding)
        #expect(encoding.rawValue.hasSuffix("_base"))
    }
}

/// One text of the corpus and the ids tiktoken 0.14 gave it (written by Scripts/tokenizer-corpus.py).
struct CorpusSample: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let cl100k: [Int]
    let o200k: [Int]

    var testDescription: String { name }

    func ids(_ encoding: Encoding) -> [Int] {
        switch encoding {
        case .cl100k: cl100k
        case .o200k: o200k
        }
    }

    /// The corpus, or nothing if the fixture cannot be read (which `corpusLoads` reports).
    static let all: [CorpusSample] = {
        struct Corpus: Decodable { let cases: [CorpusSample] }
        guard let url = Bundle.module.url(forResource: "tokenizer-corpus", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url),
            let corpus = try? JSONDecoder().decode(Corpus.self, from: data)
        else { return [] }
        return corpus.cases
    }()
}

/// Random texts over an alphabet that exercises every branch of the split patterns.
enum RandomText {
    static let alphabet: [String] = [
        "a", "b", "e", "s", "t", "z", "A", "B", "S", "T", "Z", "ll", "LL", "re", "Ve", "d", "M",
        "0", "1", "7", "9", " ", " ", " ", " ", "  ", "\n", "\n", "\r", "\r\n", "\t", "\u{0B}", "\u{0C}",
        "'", "'", "\u{2019}", ".", ",", ";", "!", "?", "-", "_", "/", "\\", "\"", "(", ")", "{", "}", "<", ">", "#",
        "中", "文", "日本", "한국어", "ひら", "カタ", "ー", "😀", "👍🏽", "👨\u{200D}👩\u{200D}👧", "🇯🇵", "❤\u{FE0F}",
        "\u{301}", "\u{308}", "\u{327}", "\u{93F}", "न", "म", "ا", "ل", "é", "ß", "ſ", "ǅ", "ʰ", "ª", "Ⅳ", "½", "٣",
        "\u{A0}", "\u{3000}", "\u{2009}", "\u{85}", "\u{2028}", "\u{1C}", "\u{0}",
    ]

    static func make(using generator: inout SeededGenerator, maxLength: Int = 60) -> String {
        let length = Int.random(in: 0...maxLength, using: &generator)
        var text = ""
        for _ in 0..<length {
            text += alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
        }
        return text
    }
}
