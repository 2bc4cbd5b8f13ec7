import NIOCore
import SwitchyardWire

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
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: makeSource())
    }

    /// A stream that transforms each event of `self`; `transform` returns nil to drop an event.
    public func map(_ transform: @escaping @Sendable (ChatStreamEvent) -> ChatStreamEvent?) -> ChatEventStream {
        let base = self
        return ChatEventStream { MappedSource(base: base.makeSource(), transform: transform) }
    }
}

private struct MappedSource: ChatEventSource {
    var base: any ChatEventSource
    let transform: @Sendable (ChatStreamEvent) -> ChatStreamEvent?

    mutating func next() async throws -> ChatStreamEvent? {
        while let event = try await base.next() {
            if let mapped = transform(event) { return mapped }
        }
        return nil
    }
}
