import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire
import Tracing

/// The replay of a stored response: its opening events at once; then, if it is still running (on another
/// replica), a look at the store every second until it ends (ten minutes at most); then the rest of its events.
package struct PolledReplay: AsyncSequence, Sendable {
    let initial: StoredResponse
    let reload: @Sendable () async throws -> StoredResponse?
    var interval: Duration = .seconds(1)
    var patience = 600
    /// The replay's place among its scope's waiting replays, given back when the replay is dropped.
    var slot: ReplayPollers.Slot?

    package struct AsyncIterator: AsyncIteratorProtocol {
        let replay: PolledReplay
        var pending: [JSONValue] = []
        var opened = false
        var done = false

        package mutating func next() async -> JSONValue? {
            if !opened {
                opened = true
                pending = Array(Self.events(of: replay.initial).prefix(2))
            }
            if pending.isEmpty && !done {
                done = true
                var stored = replay.initial
                var waited = 0
                while !Self.isTerminal(stored) && waited < replay.patience {
                    guard (try? await Task.sleep(for: replay.interval)) != nil else { return nil }
                    waited += 1
                    guard let reloaded = try? await replay.reload() else { return nil }
                    stored = reloaded
                }
                pending = Array(Self.events(of: stored).dropFirst(2))
            }
            // Not a ternary: `nil` there would become JSONValue.null (JSONValue is ExpressibleByNilLiteral).
            guard !pending.isEmpty else { return nil }
            return pending.removeFirst()
        }

        static func isTerminal(_ stored: StoredResponse) -> Bool {
            ["completed", "incomplete", "failed", "cancelled"].contains(stored.status)
        }

        static func events(of stored: StoredResponse) -> [JSONValue] {
            ResponseObject(json: stored.response, request: stored.request).map(ChatToResponsesStreamTranslator.replay) ?? []
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(replay: self) }
}
