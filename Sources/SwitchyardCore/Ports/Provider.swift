import Logging
import NIOCore

/// An upstream adapter. Requests and answers are in the hub dialect (OpenAI Chat Completions); an adapter whose
/// upstream speaks another dialect translates both ways. A capability an upstream lacks throws
/// ``GatewayError/unsupported(_:)``.
public protocol Provider: Sendable {
    /// A non-streamed chat completion.
    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply
    /// A streamed chat completion; returns once the upstream has accepted the request, before any event.
    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream
    /// An embeddings request.
    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply
}

/// A Chat Completions request as the client sent it, plus what the gateway read from it.
public struct ChatRequest: Sendable {
    /// The JSON body, byte for byte as received.
    public var body: ByteBuffer
    /// The public model name the client asked for.
    public var model: String
    public var stream: Bool

    public init(body: ByteBuffer, model: String, stream: Bool) {
        self.body = body
        self.model = model
        self.stream = stream
    }
}

/// An Embeddings request as the client sent it.
public struct EmbeddingRequest: Sendable {
    public var body: ByteBuffer
    public var model: String

    public init(body: ByteBuffer, model: String) {
        self.body = body
        self.model = model
    }
}

/// A complete upstream answer in the hub dialect.
public struct UpstreamReply: Sendable {
    public var body: ByteBuffer

    public init(body: ByteBuffer) {
        self.body = body
    }
}

/// What an adapter needs to know about the request it serves.
public struct UpstreamContext: Sendable {
    public var requestID: String
    public var logger: Logger
    /// Accumulates the time spent waiting on upstreams, so the gateway can report its own overhead.
    public var stopwatch: UpstreamStopwatch
    /// When the whole request must be answered; an adapter waits no longer than this.
    public var deadline: ContinuousClock.Instant?

    public init(requestID: String, logger: Logger, stopwatch: UpstreamStopwatch, deadline: ContinuousClock.Instant? = nil) {
        self.requestID = requestID
        self.logger = logger
        self.stopwatch = stopwatch
        self.deadline = deadline
    }
}
