import Foundation
package import Logging
package import SwitchyardCore

/// Long-term memory: the users' facts in the store, and the queue of turns waiting to have facts extracted from
/// them, off the request path (``MemoryExtractor`` works through it).
package final class LongTermMemory: Sendable {
    /// A finished turn to extract facts from.
    package struct Extraction: Sendable {
        package let scope: String
        package let user: String
        package let settings: MemorySettings
        package let caller: Caller?
        /// The user's message and the answer, as transcript lines.
        package let transcript: String
        package let context: UpstreamContext
    }

    package let store: any MemoryStore
    package let extractions: AsyncStream<Extraction>
    private let queue: AsyncStream<Extraction>.Continuation
    let logger: Logger

    /// Turns waiting past this many are dropped (and logged): memory is best effort, the server is not.
    static let queueLimit = 1_000

    package init(store: any MemoryStore, logger: Logger) {
        self.store = store
        self.logger = logger
        (extractions, queue) = AsyncStream.makeStream(of: Extraction.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
    }

    /// Queues a turn for extraction.
    func enqueue(_ extraction: Extraction) {
        if case .dropped = queue.yield(extraction) {
            logger.warning("memory extraction queue full; a turn was not remembered", metadata: ["user": "\(extraction.user)"])
        }
    }

    /// Ends the queue: the extractor finishes what is queued and stops.
    package func finish() { queue.finish() }
}
