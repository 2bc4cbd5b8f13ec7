import NIOCore
import Synchronization
package import SwitchyardCore

/// A provider that answers from a script instead of an upstream, and records every call, so routing tests can say
/// what each target answers and then check which targets were tried, in which order, without a socket.
///
/// Each upstream model has its own queue of outcomes, one used per call. A model whose queue is empty gets the
/// provider's `otherwise` outcome or, without one, a 400 `unscripted` refusal: a client error, which ends an
/// attempt loop at once instead of being retried.
package final class ScriptedProvider: Provider {
    /// What one call gets.
    package indirect enum Outcome: Sendable {
        /// A complete answer, for chat and embeddings.
        case reply(UpstreamReply)
        /// A streamed answer: these events, then the end of the stream, or `failure` thrown after them.
        case stream([ChatStreamEvent], failure: GatewayError? = nil)
        /// The call throws this, as an adapter does when its upstream refuses or fails.
        case failure(GatewayError)
        /// `outcome` after `delay` on the provider's clock: a slow upstream.
        case delayed(Duration, Outcome)

        /// A complete answer with this JSON body, in the hub dialect.
        package static func json(_ text: String) -> Outcome {
            .reply(UpstreamReply(body: ByteBuffer(string: text)))
        }

        /// A stream of these `chat.completion.chunk` objects, then `[DONE]`.
        package static func chunks(_ chunks: [String]) -> Outcome {
            .stream(chunks.map { ChatStreamEvent.chunk(ByteBuffer(string: $0)) } + [ChatStreamEvent.done])
        }

        /// An upstream error with this status (its kind the one that goes with the status), as an adapter maps it.
        package static func error(_ status: Int, code: String? = nil, message: String? = nil, retryAfter seconds: Int? = nil) -> Outcome {
            .failure(
                GatewayError(
                    status: status, kind: GatewayError.kind(forStatus: status), code: code, message: message ?? "The upstream answered \(status).",
                    retryAfterSeconds: seconds))
        }
    }

    /// The ``Provider`` requirement a call went to.
    package enum Operation: String, Sendable, Equatable {
        case chat
        case streamChat
        case embed
        case countTokens
        case listModels
    }

    /// One call the provider received.
    package struct Call: Sendable, Equatable, CustomStringConvertible {
        package var operation: Operation
        /// The upstream model the call named; empty for ``Operation/listModels``.
        package var model: String

        package init(_ operation: Operation, _ model: String) {
            self.operation = operation
            self.model = model
        }

        package var description: String { "\(operation.rawValue) \(model)" }
    }

    private struct State: Sendable {
        var scripts: [String: [Outcome]] = [:]
        var calls: [Call] = []
    }

    /// What a scripted call answers once its delays are over.
    private enum Answer {
        case reply(UpstreamReply)
        case stream([ChatStreamEvent], failure: GatewayError?)
    }

    package let kind: ProviderKind
    /// The model ids ``listModels(context:)`` answers.
    package let models: [String]
    private let otherwise: Outcome?
    private let pause: @Sendable (Duration) async throws -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - models: what ``listModels(context:)`` answers.
    ///   - clock: the clock ``Outcome/delayed(_:_:)`` waits on; a ``ManualClock`` lets the test decide when a slow
    ///     upstream answers.
    ///   - otherwise: the outcome of a call to a model whose script is used up; nil refuses it as `unscripted`.
    package init(kind: ProviderKind = .openai, models: [String] = [], clock: any Clock<Duration> = ContinuousClock(), otherwise: Outcome? = nil) {
        self.kind = kind
        self.models = models
        self.otherwise = otherwise
        pause = ScriptedProvider.sleeper(on: clock)
    }

    /// Queues `outcomes` for the calls naming the upstream model `model`, after any already queued.
    package func script(_ model: String, _ outcomes: Outcome...) {
        script(model, outcomes)
    }

    /// Queues `outcomes` for the calls naming the upstream model `model`, after any already queued.
    package func script(_ model: String, _ outcomes: [Outcome]) {
        state.withLock { $0.scripts[model, default: []] += outcomes }
    }

    /// Every call received so far, in order.
    package var calls: [Call] { state.withLock { $0.calls } }

    /// The upstream models of the chat, streamed chat and embeddings calls so far, in order: the targets tried.
    package var triedModels: [String] {
        let attempts: Set<Operation> = [.chat, .streamChat, .embed]
        return calls.filter { attempts.contains($0.operation) }.map(\.model)
    }

    package func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        try await reply(to: .chat, model: model)
    }

    package func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        switch try await answer(.streamChat, model: model) {
        case .reply:
            throw Self.unscripted(.streamChat, model: model, reason: "its script holds a complete reply, not a stream")
        case .stream(let events, let failure):
            return ChatEventStream { ScriptedEventSource(events: events, failure: failure) }
        }
    }

    package func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        try await reply(to: .embed, model: model)
    }

    /// Estimates, as the OpenAI adapter does; takes nothing from the script.
    package func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        state.withLock { $0.calls.append(Call(.countTokens, model)) }
        return TokenEstimate.tokens(in: try request.hubBody())
    }

    /// The models given at init; takes nothing from the script.
    package func listModels(context: UpstreamContext) async throws -> [String] {
        state.withLock { $0.calls.append(Call(.listModels, "")) }
        return models
    }

    private func reply(to operation: Operation, model: String) async throws -> UpstreamReply {
        switch try await answer(operation, model: model) {
        case .reply(let reply):
            return reply
        case .stream:
            throw Self.unscripted(operation, model: model, reason: "its script holds a stream, not a complete reply")
        }
    }

    /// Records the call, takes its outcome from the script, waits out its delays, and throws its failure.
    private func answer(_ operation: Operation, model: String) async throws -> Answer {
        let scripted = state.withLock { state -> Outcome? in
            state.calls.append(Call(operation, model))
            guard var queue = state.scripts[model], !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            state.scripts[model] = queue
            return next
        }
        var outcome = scripted ?? otherwise ?? .failure(Self.unscripted(operation, model: model, reason: "its script is used up"))
        while true {
            switch outcome {
            case .reply(let reply):
                return .reply(reply)
            case .stream(let events, let failure):
                return .stream(events, failure: failure)
            case .failure(let error):
                throw error
            case .delayed(let delay, let next):
                try await pause(delay)
                outcome = next
            }
        }
    }

    /// A call the script has no fitting outcome for: a client error, so an attempt loop stops at it.
    private static func unscripted(_ operation: Operation, model: String, reason: String) -> GatewayError {
        GatewayError(
            status: 400, kind: .invalidRequest, code: "unscripted",
            message: "ScriptedProvider cannot answer a \(operation.rawValue) call for '\(model)': \(reason).")
    }

    private static func sleeper(on clock: some Clock<Duration>) -> @Sendable (Duration) async throws -> Void {
        { duration in try await clock.sleep(for: duration) }
    }
}

/// Plays a scripted stream: its events, then its failure or its end.
private struct ScriptedEventSource: ChatEventSource {
    var events: [ChatStreamEvent]
    var failure: GatewayError?
    var position = 0

    mutating func next() async throws -> ChatStreamEvent? {
        if position < events.count {
            position += 1
            return events[position - 1]
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        return nil
    }
}
