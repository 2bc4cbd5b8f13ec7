public import Foundation
public import NIOCore
import Synchronization
public import Tracing

/// What one request did, filled in as it passes through the gateway and reported once when it ends: the source
/// of its metrics, its log line, its request-log row and its server span.
public struct RequestSummary: Sendable {
    public var requestID: String
    public var method: String
    public var path: String
    public var startedAt: Date
    public var started: ContinuousClock.Instant
    /// The final status: the HTTP status, or for a stream that failed after it began, the failure's status;
    /// 499 when the client left first.
    public var status = 0
    public var keyID: String?
    public var teamID: String?
    /// The model as the client named it.
    public var model: String?
    /// Whether `model` is a configured model, and so safe to use as a metric label.
    public var modelIsConfigured = false
    /// `chat`, `embeddings`, `count_tokens`: the GenAI operation, when the request was one.
    public var operation: String?
    /// The target that answered, and the dialect of its provider.
    public var target: Target?
    public var providerKind: ProviderKind?
    public var attempts = 0
    public var stream = false
    public var promptTokens = 0
    public var completionTokens = 0
    public var cachedTokens = 0
    /// What the response cache did (`hit`, `semantic-hit`, `miss`, `bypass`); nil when the model's cache is off.
    public var cache: String?
    /// What context management did, as `x-switchyard-context` reports it; nil when the model has no `context:`.
    public var context: String?
    /// What long-term memory recalled, as `x-switchyard-memory` reports it; nil when the model keeps none.
    public var memory: String?
    /// What the guardrails did, by guardrail, action and kind of finding with counts (`pii=redact:email=2`); never the
    /// matched text. Nil when none acted.
    public var guardrails: String?
    /// The prompt endpoint the request ran, and its version; nil for other requests.
    public var prompt: String?
    public var promptVersion: Int?
    public var costUSD = 0.0
    public var timeToFirstToken: Duration?
    /// Why generation stopped, per choice; kept only while tracing.
    public var finishReasons: [String] = []
    /// The time the gateway itself spent, upstream waits excluded, up to the response head.
    public var overhead: Duration?
    /// From arrival to the last byte.
    public var duration: Duration = .zero
    /// The error's kind (bounded: ``GatewayError/Kind``) and message, when the request failed.
    public var errorKind: String?
    public var errorMessage: String?
    /// Captured bodies, when body capture is on; at most the capture limit each.
    public var requestBody: ByteBuffer?
    public var responseBody: ByteBuffer?
    /// Bodies are not kept (a guardrail kept something from the model, which the log must not hold either).
    public var bodiesWithheld = false

    public init(requestID: String, method: String, path: String, startedAt: Date = Date(), started: ContinuousClock.Instant = .now) {
        self.requestID = requestID
        self.method = method
        self.path = path
        self.startedAt = startedAt
        self.started = started
    }

    /// 2xx, 4xx, 5xx ...
    public var statusClass: String { "\(status / 100)xx" }
}

/// One request's journal: the gateway writes what it learns into it, and finishing it reports the summary once.
/// A journal dropped unfinished (the response was never written) reports its request as abandoned (499).
public final class RequestJournal: Sendable {
    private struct State: Sendable {
        var summary: RequestSummary
        var finished = false
        var bodyFinishes = false
    }

    private let state: Mutex<State>
    /// The request's server span, when tracing is on.
    public let span: (any Span)?
    /// The most body bytes kept of each direction; nil when bodies are not captured.
    public let captureLimit: Int?
    private let report: @Sendable (RequestSummary, (any Span)?) -> Void

    public init(
        summary: RequestSummary, span: (any Span)?, captureLimit: Int?, report: @escaping @Sendable (RequestSummary, (any Span)?) -> Void
    ) {
        state = Mutex(State(summary: summary))
        self.span = span
        self.captureLimit = captureLimit
        self.report = report
    }

    /// Changes the summary.
    public func update(_ change: (inout RequestSummary) -> Void) {
        state.withLock { change(&$0.summary) }
    }

    /// A copy of the summary as it stands.
    public var summary: RequestSummary { state.withLock { $0.summary } }

    /// Keeps the request body, up to the capture limit, when capture is on.
    public func captureRequest(_ body: ByteBuffer) {
        guard let captureLimit else { return }
        // A copy, so the request log does not hold the whole request buffer.
        let kept = ByteBuffer(bytes: body.readableBytesView.prefix(captureLimit))
        update { if !$0.bodiesWithheld { $0.requestBody = kept } }
    }

    /// Drops the bodies captured so far and keeps no more.
    public func withholdBodies() {
        update { summary in
            summary.bodiesWithheld = true
            summary.requestBody = nil
            summary.responseBody = nil
        }
    }

    /// Appends to the captured response body, up to the capture limit, when capture is on.
    public func captureResponse(_ bytes: ByteBuffer) {
        guard let captureLimit else { return }
        update { summary in
            guard !summary.bodiesWithheld else { return }
            var captured = summary.responseBody ?? ByteBuffer()
            let room = captureLimit - captured.readableBytes
            guard room > 0 else { return }
            captured.writeBytes(bytes.readableBytesView.prefix(room))
            summary.responseBody = captured
        }
    }

    /// Hands finishing to the response body (a stream), which ends after the response head is sent.
    public func finishWhenBodyEnds() {
        state.withLock { $0.bodyFinishes = true }
    }

    /// Whether the response body, not the response head, ends the request.
    public var bodyFinishes: Bool { state.withLock { $0.bodyFinishes } }

    /// Records the error a request failed with: its kind (a bounded label) and message.
    public func recordError(_ error: GatewayError) {
        update { summary in
            summary.errorKind = error.kind.rawValue
            summary.errorMessage = error.message
        }
    }

    /// Ends the request with `status`; only the first call counts.
    public func finish(status: Int) {
        let summary: RequestSummary? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.summary.status = status
            state.summary.duration = .now - state.summary.started
            return state.summary
        }
        if let summary { report(summary, span) }
    }

    deinit {
        finish(status: 499)
    }
}
