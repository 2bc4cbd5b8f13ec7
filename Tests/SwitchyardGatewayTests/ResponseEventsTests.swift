import Foundation
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

@Suite("Responses event sequences")
struct ResponseEventsTests {
    static func stored(status: String) -> StoredResponse {
        var response = ResponseObject(id: "resp_1", createdAt: 1, model: "chat", status: status, request: ["model": "chat"])
        response.output = [ChatToResponse.messageItem(id: "msg_1", text: "Hi", status: "completed")]
        return StoredResponse(
            id: "resp_1", scope: "master", model: "chat", status: status, previousResponseID: nil, depth: 0, background: true, request: ["model": "chat"],
            inputItems: [], response: response.json, createdAt: Date())
    }

    @Test("a finished response replays its events once, then ends")
    func replayFinished() async {
        var types: [String] = []
        for await event in ResponseEvents.polled(PolledReplay(initial: Self.stored(status: "completed")) { nil }) {
            types.append(event["type"]?.string ?? "")
            if types.count > 50 { break }
        }
        #expect(types.first == "response.created" && types.last == "response.completed")
        #expect(types.count == 9, "\(types.prefix(14))")
    }

    @Test("a running response opens at once and ends when the store says it finished")
    func replayRunning() async {
        var replay = PolledReplay(initial: Self.stored(status: "in_progress")) { ResponseEventsTests.stored(status: "completed") }
        replay.interval = .milliseconds(10)
        var types: [String] = []
        for await event in ResponseEvents.polled(replay) {
            types.append(event["type"]?.string ?? "")
            if types.count > 50 { break }
        }
        #expect(types.prefix(2) == ["response.created", "response.in_progress"])
        #expect(types.last == "response.completed" && types.count == 9, "\(types)")
    }
}
