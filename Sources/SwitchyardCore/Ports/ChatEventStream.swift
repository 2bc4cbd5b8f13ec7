public import NIOCore
public import SwitchyardWire

/// One event of a streamed chat completion in the hub dialect.
public enum ChatStreamEvent: Sendable, Equatable {
    /// The JSON of one `chat.completion.chunk` (or an error object the upstream sent mid-stream).
    case chunk(ByteBuffer)
    /// The `[DONE]` marker that ends an OpenAI stream.
    case done
    /// An event in the client's own dialect, from an upstream that spoke it natively.
    case native(ServerSentEvent)
}

/// The source behind a ``ChatEventStream``: pulls the next event from the upstream.
public protocol ChatEventSource {
    /// The next event, nil at the end of the stream; throws ``GatewayError`` when the upstream fails mid-stream.
    mutating func next() async throws -> ChatStreamEvent?
    /// The reader stops reading before the end (it could not write to its client): whatever the source settles
    /// when it ends is settled now, as abandoned.
    mutating func abandon()
}

extension ChatEventSource {
    public mutating func abandon() {}
}

/// The events of a streamed chat completion, read once, as the upstream produces them.
public struct ChatEventStream: AsyncSequence, Sendable {
    public typealias Element = ChatStreamEvent
    private let makeSource: @Sendable () -> any ChatEventSource

    public init(_ makeSource: @escaping @Sendable () -> any ChatEventSource) {
        self.makeSource = makeSource
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var source: any ChatEventSource

        public mutating func next() async throws -> ChatStreamEvent? {
            try await source.next()
        }

        /// Stops reading before the end: see ``ChatEventSource/abandon()``.
        public mutating func abandon() {
            source.abandon()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: makeSource())
    }
}
