package import Foundation
import Synchronization
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
        /// When the turn was queued: a user forgotten since learns nothing from it.
        package let enqueuedAt: Date
        package let context: UpstreamContext
    }

    package let store: any MemoryStore
    package let extractions: AsyncStream<Extraction>
    private let queue: AsyncStream<Extraction>.Continuation
    let logger: Logger

    /// Turns waiting past this many are dropped (and logged): memory is best effort, the server is not.
    static let queueLimit = 1_000
    /// Users named by more bytes than this (or with a NUL) have no memory: they could not be listed or forgotten by
    /// name.
    package static let maximumUserBytes = 256
    /// Text sent for extraction or recall is cut to this many characters (about 8,000 tokens).
    static let maximumTextCharacters = 24_000
    /// The most memories a user keeps; past it, the oldest go.
    static let maximumPerUser = 500
    /// Turns dropped because the queue was full, since the last warning.
    private let dropped = Atomic<Int>(0)

    package init(store: any MemoryStore, logger: Logger) {
        self.store = store
        self.logger = logger
        (extractions, queue) = AsyncStream.makeStream(of: Extraction.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
    }

    /// Queues a turn for extraction.
    func enqueue(_ extraction: Extraction) {
        if case .dropped = queue.yield(extraction) {
            // One warning per hundred dropped turns, without who they were.
            if dropped.add(1, ordering: .relaxed).newValue % 100 == 1 {
                logger.warning("memory extraction queue full; turns are not remembered", metadata: ["dropped": "\(dropped.load(ordering: .relaxed))"])
            }
        }
    }

    /// Whether the gateway is stopping: turns still queued are let go.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }
    private let stopping = Atomic<Bool>(false)

    /// Ends the queue at shutdown: the turn each worker is on finishes, those still queued are let go.
    package func stop() {
        stopping.store(true, ordering: .relaxed)
        queue.finish()
    }
}
