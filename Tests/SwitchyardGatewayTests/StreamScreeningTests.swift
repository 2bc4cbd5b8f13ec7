import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardTesting
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// Output guardrails over a streamed answer: where a text may be cut and given out, and that what is given out piece
/// by piece adds up to what the guardrails make of the whole answer, however the answer arrives.
@Suite("Stream screening")
struct StreamScreeningTests {
    /// Collects what the screening notes (it should note once per stream).
    final class Notes: Sendable {
        let reports = Mutex<[GuardrailReport]>([])
        func add(_ report: GuardrailReport) { reports.withLock { $0.append(report) } }
        var all: [GuardrailReport] { reports.withLock { $0 } }
    }

    static func screen(_ settings: [GuardrailSettings]) throws -> GuardrailScreen {
        GuardrailScreen(try GuardrailBook(settings).guardrails(settings.map(\.name), reading: .output), direction: .output)
    }

    static let pii = GuardrailSettings(name: "pii", kind: .pii(entities: []), action: .redact, directions: [.output])
    static let stop = GuardrailSettings(name: "stop", kind: .words(["launch codes"]), action: .block, directions: [.output])

    static func screening(_ settings: [GuardrailSettings] = [pii], notes: Notes = Notes()) throws -> StreamScreening {
        StreamScreening(screen: try screen(settings), judge: { _ in }, note: { notes.add($0) })
    }

    /// What the guardrails make of `text` in one piece.
    static func whole(_ text: String, _ settings: [GuardrailSettings] = [pii]) throws -> String {
        var screen = try screen(settings)
        return try screen.screen(text)
    }

    /// What a screening gives out for `pieces` of one text, in order, then what it holds when the text ends.
    static func streamed(_ pieces: [String], _ settings: [GuardrailSettings] = [pii]) throws -> String {
        var screening = try Self.screening(settings)
        var out = ""
        for piece in pieces { out += try screening.rewrite(piece, key: "c0", json: false) }
        out += try screening.finish("c0")
        #expect(screening.heldKeys.isEmpty)
        return out
    }

    // MARK: Where the text is cut

    @Test("nothing within the last 64 bytes is given out")
    func lookahead() throws {
        let screening = try Self.screening()
        #expect(StreamScreening.lookahead == 64)
        for length in [0, 1, 10, 63, 64, 65] {
            #expect(screening.cut(in: Array(String(repeating: "a ", count: length / 2 + 1).utf8.prefix(length))) == 0, "length \(length)")
        }
        let text = Array(String(repeating: "word ", count: 60).utf8)
        for end in stride(from: 70, through: text.count, by: 7) {
            let cut = screening.cut(in: Array(text[..<end]))
            #expect(cut <= end - 64, "cut \(cut) of \(end) bytes")
            #expect(cut > 0, "a boundary lies far enough behind the end of \(end) bytes")
        }
    }

    @Test("the cut is just after white space, the last such place 64 bytes behind the end")
    func atWhiteSpace() throws {
        let screening = try Self.screening()
        let text = Array((String(repeating: "alpha beta\tgamma\ndelta ", count: 10)).utf8)
        let cut = screening.cut(in: text)
        #expect(cut > 0 && cut <= text.count - 64)
        let before = text[cut - 1]
        #expect([UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")].contains(before), "cut after \(before)")
        // No later place within the limit would have done.
        for index in stride(from: cut + 1, through: text.count - 64, by: 1) {
            #expect(![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(text[index - 1]), "boundary at \(index)")
        }
    }

    @Test("what a guardrail finds across the candidate cut is held back whole: a card and a phone number written in groups")
    func entityAcrossCut() throws {
        let screening = try Self.screening()
        let tail = String(repeating: "x", count: 64)
        // The last space within the limit falls inside the card number; the cut moves to before it.
        let card = Array(("pay 4111 1111 1111 1111," + tail).utf8)
        #expect(screening.cut(in: card) == 4, "\(screening.cut(in: card))")
        let phone = Array(("call +44 20 7946 0958," + tail).utf8)
        #expect(screening.cut(in: phone) == 5, "\(screening.cut(in: phone))")
        // A phrase of a words guardrail is held whole too.
        let words = try Self.screening([Self.stop])
        let phrase = Array(("the launch codes," + tail).utf8)
        #expect(words.cut(in: phrase) == 4, "\(words.cut(in: phrase))")
        // Without a guardrail that finds spans, the last space is the cut.
        let injection = try Self.screening([
            GuardrailSettings(name: "inj", kind: .promptInjection(threshold: 0.8), action: .block, directions: [.output])
        ])
        #expect(injection.cut(in: card) == 19, "\(injection.cut(in: card))")
    }

    @Test("a run without white space under 4096 bytes is held whole")
    func longRunHeld() throws {
        let screening = try Self.screening()
        #expect(StreamScreening.maximumHeld == 4096)
        #expect(screening.cut(in: Array(String(repeating: "x", count: 1000).utf8)) == 0)
        #expect(screening.cut(in: Array(String(repeating: "x", count: 4096).utf8)) == 0)
        // An email that long is held too (never given out in two parts).
        let email = Array((String(repeating: "a", count: 3000) + "@example.com").utf8)
        #expect(screening.cut(in: email) == 0)
    }

    @Test("a run without white space over 4096 bytes is cut, 64 bytes behind the end")
    func overlongRunCut() throws {
        let screening = try Self.screening()
        let run = Array(String(repeating: "x", count: 5000).utf8)
        #expect(screening.cut(in: run) == 5000 - 64)
        // Never inside a multi-byte character.
        let accented = Array(String(repeating: "é", count: 2500).utf8)
        let cut = screening.cut(in: accented)
        #expect(cut > 0 && cut <= accented.count - 64 && accented[cut] & 0xC0 != 0x80, "\(cut)")
    }

    @Test("text that is not ASCII (CJK, no spaces) can be cut between characters, never inside one")
    func nonASCII() throws {
        let screening = try Self.screening()
        let text = Array(String(repeating: "漢字かな", count: 20).utf8)
        let cut = screening.cut(in: text)
        #expect(cut > 0 && cut <= text.count - 64, "\(cut)")
        #expect(cut % 3 == 0 && text[cut] & 0xC0 != 0x80, "cut \(cut) is inside a character")
        #expect(String(validating: text[..<cut], as: UTF8.self) != nil)
        // ASCII words next to a CJK character may be cut there.
        let mixed = Array(("abc漢" + String(repeating: "x", count: 70)).utf8)
        #expect(screening.cut(in: mixed) == 6, "after the CJK character, the last boundary within the limit")
        for index in 1..<mixed.count {
            let boundary = StreamScreening.isBoundary(mixed, at: index)
            #expect(boundary == (index == 3 || index == 6), "index \(index)")
        }
    }

    // MARK: Pieces add up to the whole

    static let answer =
        "Dear team, write to ops@example.com (or ops@example.com) with key sk-ant-abcdefghijklmnopqrstuvwx today. "
        + "José's card 4111 1111 1111 1111 is on file; call +44 20 7946 0958 — 東京のオフィス mail tokyo@example.jp soon."

    @Test("every split of an answer in two gives out exactly what the whole answer redacted is")
    func everySplitInTwo() throws {
        let expected = try Self.whole(Self.answer)
        #expect(expected.contains("[EMAIL_1]") && expected.contains("[SECRET_1]") && expected.contains("[CREDIT_CARD_1]"), "\(expected)")
        #expect(expected.contains("[PHONE_1]") && expected.contains("[EMAIL_2]") && !expected.contains("@example"), "\(expected)")
        let characters = Array(Self.answer)
        for split in 0...characters.count {
            let pieces = [String(characters[..<split]), String(characters[split...])]
            let out = try Self.streamed(pieces)
            #expect(out == expected, "split at \(split)")
        }
    }

    @Test("every split of an email-bearing text in three, and character by character, adds up to the whole redacted")
    func everySplitInThree() throws {
        let text = "Please write to ann.lee@example.com with the key sk-proj-abcdefghijklmnopqrstuvwxyz012345 before noon, thanks!"
        let expected = try Self.whole(text)
        #expect(expected == "Please write to [EMAIL_1] with the key [SECRET_1] before noon, thanks!", "\(expected)")
        let characters = Array(text)
        for first in stride(from: 0, through: characters.count, by: 3) {
            for second in stride(from: first, through: characters.count, by: 5) {
                let pieces = [String(characters[..<first]), String(characters[first..<second]), String(characters[second...])]
                #expect(try Self.streamed(pieces) == expected, "splits at \(first), \(second)")
            }
        }
        #expect(try Self.streamed(characters.map { String($0) }) == expected)
        #expect(try Self.streamed(characters.map { String($0) } + [String(repeating: " pad", count: 40)]) == expected + String(repeating: " pad", count: 40))
    }

    @Test("a blocked phrase arriving in pieces is refused before any of it is given out; the report is noted once")
    func blockAcrossPieces() throws {
        let notes = Notes()
        var screening = try Self.screening([Self.pii, Self.stop], notes: notes)
        let pieces = ["Sure. ", String(repeating: "Some preamble text here. ", count: 4), "Here are the lau", "nch co", "des: 1234.", " More text follows."]
        var given = ""
        var refusal: GatewayError?
        do {
            for piece in pieces { given += try screening.rewrite(piece, key: "c0", json: false) }
            given += try screening.finish("c0")
        } catch let error as GatewayError {
            refusal = error
        }
        let error = try #require(refusal, "the phrase ended the stream; given out: \(given)")
        #expect(error.code == "guardrail_blocked" && error.message.contains("'stop'") && error.message.contains("answer"), "\(error.message)")
        #expect(!given.lowercased().contains("launch") && !given.contains("codes"), "\(given)")
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.entries.first?.guardrail == "stop")
        #expect(notes.all.first?.entries.first?.direction == "output")
    }

    @Test("when the answer ends the report is noted once, with the output counts")
    func notesWhenEnded() async throws {
        let notes = Notes()
        var screening = try Self.screening(notes: notes)
        _ = try screening.rewrite("mail ann@example.com and bob@example.org", key: "c0", json: false)
        _ = try screening.finish("c0")
        #expect(notes.all.isEmpty, "nothing is noted before the answer ends")
        try await screening.streamEnded()
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.logged == "output:pii=redact:email=2")
        #expect(notes.all.first?.header == "pii=redact:2")
    }

    // MARK: Through the event source

    /// Yields scripted events, then ends.
    struct ListSource: ChatEventSource {
        var events: [ChatStreamEvent]

        mutating func next() async throws -> ChatStreamEvent? {
            events.isEmpty ? nil : events.removeFirst()
        }
    }

    /// The events a rewriting source gives out for `events`, and the error it ended with.
    static func rewritten(_ events: [ChatStreamEvent], _ settings: [GuardrailSettings] = [pii], notes: Notes = Notes()) async throws -> (
        events: [ChatStreamEvent], error: GatewayError?
    ) {
        let stream = ChatEventStream { ListSource(events: events) }
        var source = TextRewritingEventSource(base: stream.makeAsyncIterator(), rewriter: try Self.screening(settings, notes: notes))
        var out: [ChatStreamEvent] = []
        do {
            while let event = try await source.next() { out.append(event) }
        } catch let error as GatewayError {
            return (out, error)
        }
        return (out, nil)
    }

    /// The joined `delta.content` of hub chunks.
    static func content(_ events: [ChatStreamEvent]) -> String {
        events.compactMap { event -> String? in
            guard case .chunk(let data) = event, let chunk = try? JSONValue(decoding: data) else { return nil }
            return chunk["choices"]?.array?.first?["delta"]?["content"]?.string
        }.joined()
    }

    /// The joined text deltas of Anthropic events.
    static func anthropicText(_ events: [ChatStreamEvent]) -> String {
        events.compactMap { event -> String? in
            guard case .native(let native) = event, let payload = try? JSONValue(decoding: native.data),
                payload["type"]?.string == "content_block_delta"
            else { return nil }
            return payload["delta"]?["text"]?.string
        }.joined()
    }

    @Test("hub chunks: every split of the answer across two chunks gives the whole answer redacted, then [DONE]")
    func hubChunksEverySplit() async throws {
        let text = "Write to ops@example.com with key sk-ant-abcdefghijklmnopqrstuvwx today, or call +1 415 555 0100 from the office."
        let expected = try Self.whole(text)
        let characters = Array(text)
        for split in 0...characters.count {
            let pieces = [String(characters[..<split]), String(characters[split...])]
            let chunks = OpenAIWireSamples.chatChunks(model: "m", pieces: pieces, includeUsage: true).map { ChatStreamEvent.chunk(ByteBuffer(string: $0)) }
            let (events, error) = try await Self.rewritten(chunks + [.done])
            #expect(error == nil)
            #expect(Self.content(events) == expected, "split at \(split)")
            #expect(events.last == .done)
        }
    }

    @Test("hub chunks without a finish reason or [DONE]: what is held goes out when the stream ends")
    func hubChunksFlushedAtEnd() async throws {
        let head = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"#
        let events: [ChatStreamEvent] = ["mail ann@exa", "mple.com now"].map { piece in
            .chunk(ByteBuffer(string: head + "\"\(piece)\"" + #"},"finish_reason":null}]}"#))
        }
        let (out, error) = try await Self.rewritten(events)
        #expect(error == nil)
        #expect(Self.content(out) == "mail [EMAIL_1] now")
    }

    @Test("hub chunks: a blocked phrase ends the stream with an error, the phrase never given out")
    func hubChunksBlocked() async throws {
        let notes = Notes()
        let chunks = OpenAIWireSamples.chatChunks(model: "m", pieces: ["Here are the launch", " codes: 0000."], includeUsage: true)
            .map { ChatStreamEvent.chunk(ByteBuffer(string: $0)) }
        let (events, error) = try await Self.rewritten(chunks + [.done], [Self.pii, Self.stop], notes: notes)
        #expect(error?.code == "guardrail_blocked", "\(String(describing: error))")
        #expect(!Self.content(events).contains("launch") && !events.contains(.done))
        #expect(notes.all.count == 1)
    }

    @Test("Anthropic events: text deltas are redacted as they stream, what is held goes out before content_block_stop")
    func anthropicEvents() async throws {
        let pieces = ["Write to ops@exa", "mple.com with key sk-ant-abcdefghijklmnopqrstuvwx", " today."]
        let events = AnthropicWireSamples.streamEvents(model: "claude", pieces: pieces).map { text -> ChatStreamEvent in
            let lines = text.split(separator: "\n")
            let name = lines.first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
            let data = lines.first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) } ?? ""
            return .native(ServerSentEvent(event: name, data: ByteBuffer(string: data)))
        }
        let (out, error) = try await Self.rewritten(events)
        #expect(error == nil)
        #expect(Self.anthropicText(out) == "Write to [EMAIL_1] with key [SECRET_1] today.")
        let names = out.compactMap { event -> String? in
            guard case .native(let native) = event else { return nil }
            return native.event
        }
        let lastDelta = try #require(names.lastIndex(of: "content_block_delta"))
        let stop = try #require(names.firstIndex(of: "content_block_stop"))
        #expect(lastDelta < stop && names.last == "message_stop", "\(names)")
    }
}
