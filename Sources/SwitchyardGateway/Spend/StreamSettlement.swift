import Synchronization
import SwitchyardCore

/// Settles one streamed request exactly once, however it ends: completed, failed upstream, or abandoned (the
/// client left, a write to it failed, the server shut down, or the stream was dropped unread).
///
/// An abandoned stream is still charged: OpenAI-dialect usage arrives only in the last chunk, so a client that
/// reads to `finish_reason` and hangs up would otherwise cost nothing. It pays the larger of the usage seen and an
/// estimate, the prompt's estimated tokens plus the tokens relayed so far, and its usage row says 499. Settling
/// happens in `deinit` when nothing else did, so no exit path can skip it.
///
/// Per relayed event it costs one atomic add; the usage the upstream reports (a few times a stream) takes a lock.
final class StreamSettlement: Sendable {
    /// How a stream ended.
    enum Ending {
        case completed
        case failed(GatewayError)
        case abandoned
    }

    let lease: TargetLease
    /// The caller's hold on its rate limits, released when the stream ends.
    private let permit: LimitPermit?
    private let settlement: Settlement
    private let estimatedPromptTokens: Int
    /// Usage the upstream reported.
    private let reportedTokens = Mutex(TokenCounts())
    /// Tokens relayed to the client so far, as ``RelayedTokenEstimate`` counts them.
    private let relayedTokens = Atomic<Int>(0)
    /// Nanoseconds from the lease's start to the first event relayed; 0 before it.
    private let firstTokenNanoseconds = Atomic<Int64>(0)
    private let settled = Atomic<Bool>(false)

    init(lease: TargetLease, permit: LimitPermit?, settlement: Settlement, estimatedPromptTokens: Int) {
        self.lease = lease
        self.permit = permit
        self.settlement = settlement
        self.estimatedPromptTokens = estimatedPromptTokens
    }

    var context: UpstreamContext { settlement.context }

    /// The first event is on its way to the client: the time to first token.
    func firstTokenRelayed(at now: ContinuousClock.Instant = .now) {
        firstTokenNanoseconds.store(max(1, (now - lease.startedAt).wholeNanoseconds), ordering: .relaxed)
    }

    /// `tokens` more were relayed to the client.
    func relayed(tokens: Int) {
        relayedTokens.add(tokens, ordering: .relaxed)
    }

    /// Usage the upstream reported; `replacing` swaps the whole figure, otherwise each field it carries replaces
    /// the earlier one.
    func reported(_ counts: TokenCounts, replacing: Bool) {
        reportedTokens.withLock { tokens in
            if replacing {
                tokens = counts
            } else {
                if counts.prompt > 0 { tokens.prompt = counts.prompt }
                if counts.cached > 0 { tokens.cached = counts.cached }
                if counts.completion > 0 { tokens.completion = counts.completion }
            }
        }
    }

    /// The tokens reported so far.
    var tokens: TokenCounts { reportedTokens.withLock { $0 } }

    /// Settles the stream, once: the target's lease, the caller's permit and the usage record.
    func finish(_ ending: Ending) {
        guard !settled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let tokens = Self.charged(
            reported: self.tokens, relayed: relayedTokens.load(ordering: .relaxed), ending: ending, estimatedPromptTokens: estimatedPromptTokens)
        let first = firstTokenNanoseconds.load(ordering: .relaxed)
        let timeToFirstToken: Duration? = first > 0 ? .nanoseconds(first) : nil
        let status: Int
        switch ending {
        case .completed:
            lease.finish(.success, timeToFirstToken: timeToFirstToken, actualTokens: tokens.total)
            status = 200
        case .failed(let error):
            lease.finish(.failure, error: error.message, timeToFirstToken: timeToFirstToken)
            status = error.status
        case .abandoned:
            lease.finish(.abandoned)
            status = 499
        }
        permit?.release(actualTokens: tokens.total > 0 ? tokens.total : nil)
        settlement.settle(tokens: tokens, status: status, timeToFirstToken: timeToFirstToken)
    }

    /// What a stream that ended this way is charged. A completed stream pays what the upstream reported. One cut
    /// short pays the larger of what was reported and the estimate of each part: the prompt's estimated tokens,
    /// and the tokens relayed so far. An abandoned stream was accepted by its upstream, which read the prompt, so
    /// it pays at least the prompt; a failed one pays only when something was relayed.
    static func charged(reported: TokenCounts, relayed: Int, ending: Ending, estimatedPromptTokens: Int) -> TokenCounts {
        var tokens = reported
        switch ending {
        case .completed:
            return tokens
        case .failed:
            guard relayed > 0 || tokens.total > 0 else { return tokens }
        case .abandoned:
            break
        }
        if tokens.prompt == 0 { tokens.prompt = estimatedPromptTokens }
        tokens.completion = max(tokens.completion, relayed)
        return tokens
    }

    deinit {
        finish(.abandoned)
    }
}

/// Estimates the tokens an event carries from its size: about four bytes a token beyond the event's framing, the
/// framing being the size of the smallest such event seen (a chunk with one token in it is almost all framing).
/// Every event counts at least one token.
struct RelayedTokenEstimate {
    private var smallest: Int?

    mutating func tokens(inEventOf bytes: Int) -> Int {
        guard let smallest else {
            smallest = bytes
            return 1
        }
        if bytes < smallest { self.smallest = bytes }
        return max(1, (bytes - min(smallest, bytes)) / 4)
    }
}
