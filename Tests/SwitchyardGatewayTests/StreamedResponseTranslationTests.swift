import Synchronization
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

@Suite("Streamed response translation")
struct StreamedResponseTranslationTests {
    static func translator() -> ChatToResponsesStreamTranslator {
        let request: JSONValue = ["model": "chat", "input": "hi"]
        return ChatToResponsesStreamTranslator(
            response: ResponseObject(id: "resp_1", createdAt: 0, model: "chat", status: "in_progress", request: request), makeID: { "\($0)_1" })
    }

    static let chunk: JSONValue = ["choices": [["index": 0, "delta": ["content": "partial"]]]]

    @Test("a stream dropped before its end is saved as incomplete, with what was streamed")
    func interrupted() {
        let saved = Mutex<ResponseObject?>(nil)
        do {
            let translation = StreamedResponseTranslation(Self.translator()) { response in saved.withLock { $0 = response } }
            _ = translation.translate { $0.start() }
            _ = translation.translate { $0.consume(Self.chunk) }
        }
        let response = saved.withLock { $0 }
        #expect(response?.status == "incomplete")
        #expect(response?.json["output"]?.array?.first?["content"]?.array?.first?["text"]?.string == "partial")
    }

    @Test("a stream that reached its end but whose save failed keeps its final state, not an interrupted one")
    func closedNotSaved() {
        let saved = Mutex<ResponseObject?>(nil)
        do {
            let translation = StreamedResponseTranslation(Self.translator()) { response in saved.withLock { $0 = response } }
            _ = translation.translate { $0.start() }
            _ = translation.translate { $0.consume(Self.chunk) }
            _ = translation.finish(now: 1)
        }
        #expect(saved.withLock { $0?.status } == "completed")
    }

    @Test("a stream whose final state was saved leaves nothing to save")
    func ended() {
        let saved = Mutex<ResponseObject?>(nil)
        do {
            let translation = StreamedResponseTranslation(Self.translator()) { response in saved.withLock { $0 = response } }
            _ = translation.finish(now: 1)
            translation.ended()
        }
        #expect(saved.withLock { $0 } == nil)
    }
}
