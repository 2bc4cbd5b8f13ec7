public import Instrumentation
public import Logging
public import NIOCore
public import Tracing

/// An upstream adapter. Requests and answers are in the hub dialect (OpenAI Chat Completions); an adapter whose
/// upstream speaks another dialect translates both ways. A capability an upstream lacks throws
/// ``GatewayError/unsupported(_:)``.
public protocol Provider: Sendable {
    /// The dialect this adapter speaks upstream.
    var kind: ProviderKind { get }
    /// A non-streamed chat completion.
    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply
    /// A streamed chat completion; returns once the upstream has accepted the request, before any event.
    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream
    /// An embeddings request.
    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply
    /// The input tokens `request` would take: counted by the upstream where it offers that, estimated otherwise.
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int
    /// The ids of the models the upstream serves, as it lists them.
    func listModels(context: UpstreamContext) async throws -> [String]
    /// An OpenAI Moderations API request (`POST /moderations`), answered in that API's shape.
    func moderate(_ body: ByteBuffer, model: String, context: UpstreamContext) async throws -> UpstreamReply
}

extension Provider {
    /// Upstreams other than OpenAI's have no Moderations API.
    public func moderate(_ body: ByteBuffer, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        throw GatewayError.unsupported("Provider type \(kind.rawValue) has no moderations endpoint.")
    }
}

/// The API dialects the gateway speaks.
public enum WireDialect: String, Sendable {
    /// OpenAI Chat Completions: the hub every translation goes through.
    case openAI = "openai"
    /// Anthropic Messages.
    case anthropic
}

/// A client's request in its own dialect, kept for upstreams that speak that dialect natively.
public struct NativeRequest: Sendable {
    public var dialect: WireDialect
    public var body: ByteBuffer

    public init(dialect: WireDialect, body: ByteBuffer) {
        self.dialect = dialect
        self.body = body
    }
}

/// A Chat Completions request as the client sent it, plus what the gateway read from it.
public struct ChatRequest: Sendable {
    /// The JSON body, byte for byte as received.
    public var body: ByteBuffer
    /// The public model name the client asked for.
    public var model: String
    public var stream: Bool
    /// The client's request when it spoke another dialect; `body` then holds its translation to the hub.
    public var native: NativeRequest?
    /// Why the request cannot be expressed in the hub dialect, when it cannot; an upstream that needs the hub
    /// refuses with this, one that speaks `native`'s dialect does not need it.
    public var hubError: GatewayError?

    public init(body: ByteBuffer, model: String, stream: Bool, native: NativeRequest? = nil, hubError: GatewayError? = nil) {
        self.body = body
        self.model = model
        self.stream = stream
        self.native = native
        self.hubError = hubError
    }

    /// The hub body, or the reason there is none.
    public func hubBody() throws(GatewayError) -> ByteBuffer {
        if let hubError { throw hubError }
        return body
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

/// A complete upstream answer: in the hub dialect, or in the client's own when the upstream spoke it natively.
public struct UpstreamReply: Sendable {
    public var body: ByteBuffer
    public var dialect: WireDialect

    public init(body: ByteBuffer, dialect: WireDialect = .openAI) {
        self.body = body
        self.dialect = dialect
    }
}

/// What an adapter needs to know about the request it serves.
public struct UpstreamContext: Sendable {
    public var requestID: String
    /// Logs with the request's id; tagged when asked for, since most requests never log.
    public var logger: Logger {
        var logger = untaggedLogger
        logger[metadataKey: "request_id"] = .string(requestID)
        return logger
    }
    private let untaggedLogger: Logger
    /// Accumulates the time spent waiting on upstreams, so the gateway can report its own overhead.
    public var stopwatch: UpstreamStopwatch
    /// When the whole request must be answered; an adapter waits no longer than this.
    public var deadline: ContinuousClock.Instant?
    /// The request's journal, which the gateway fills in as it routes and meters; nil outside an HTTP request.
    public var journal: RequestJournal?
    /// The tracer spans are made with; nil when tracing is off.
    public var tracer: (any Tracer)?
    /// The trace this call belongs to: the server span's context, or the attempt's once one started.
    public var traceContext: ServiceContext
    /// What the request's `Cache-Control` header asks of the response cache.
    public var cacheControl: CacheControl = .default

    public init(
        requestID: String, logger: Logger, stopwatch: UpstreamStopwatch, deadline: ContinuousClock.Instant? = nil, journal: RequestJournal? = nil,
        tracer: (any Tracer)? = nil, traceContext: ServiceContext = .topLevel
    ) {
        self.requestID = requestID
        self.untaggedLogger = logger
        self.stopwatch = stopwatch
        self.deadline = deadline
        self.journal = journal
        self.tracer = tracer
        self.traceContext = traceContext
    }
}
