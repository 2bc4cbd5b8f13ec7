import SwitchyardCore
import Testing

@testable import SwitchyardGateway

@Suite("Replay pollers")
struct ReplayPollersTests {
    @Test("a scope may have only so many replays waiting; a dropped one frees its place")
    func bounded() throws {
        let pollers = ReplayPollers(maximumPerScope: 2)
        var slots = [try pollers.reserve(scope: "team:a"), try pollers.reserve(scope: "team:a")]
        #expect(throws: GatewayError.self) { try pollers.reserve(scope: "team:a") }
        _ = try pollers.reserve(scope: "team:b")
        slots.removeLast()
        slots.append(try pollers.reserve(scope: "team:a"))
        #expect(slots.count == 2)
    }
}
