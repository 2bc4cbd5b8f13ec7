import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire
import Tracing

/// A response's events as a client reads them: translated from an upstream stream as they arrive, or read from a
/// background response's log (live, or a replay).
package enum ResponseEvents: AsyncSequence, Sendable {
    case translated(TranslatedResponseEvents)
    case logged(AsyncStream<JSONValue>)
    case polled(PolledReplay)

    package enum AsyncIterator: AsyncIteratorProtocol {
        case translated(TranslatedResponseEvents.AsyncIterator)
        case logged(AsyncStream<JSONValue>.AsyncIterator)
        case polled(PolledReplay.AsyncIterator)

        /// The reader stops before the end: a translated stream settles its upstream call now.
        package mutating func abandon() {
            if case .translated(var iterator) = self {
                iterator.abandon()
                self = .translated(iterator)
            }
        }

        package mutating func next() async -> JSONValue? {
            switch self {
            case .translated(var iterator):
                let event = await iterator.next()
                self = .translated(iterator)
                return event
            case .logged(var iterator):
                let event = await iterator.next(isolation: #isolation)
                self = .logged(iterator)
                return event
            case .polled(var iterator):
                let event = await iterator.next()
                self = .polled(iterator)
                return event
            }
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        switch self {
        case .translated(let events): .translated(events.makeAsyncIterator())
        case .logged(let stream): .logged(stream.makeAsyncIterator())
        case .polled(let replay): .polled(replay.makeAsyncIterator())
        }
    }
}
