import Synchronization
import SwitchyardCore

/// Settles one streamed request exactly once, however it ends: completed, failed upstream, or abandoned (the
/// client left, a write to it failed, the server shut down, or the stream was dropped unread).
///
/// An abandoned stream is still charged: OpenAI-dialect usage arrives only in the last chunk, so a client that
/// reads to `finish_reason` and hangs up would otherwise cost nothing. It pays the larger of the usage seen and an
/// estimate, the prompt's estimated tokens plus the tokens relayed so far, and its usage row says 499. Settling
/// happens in `deinit` when nothing else did, so no exit path can skip it.
final class StreamSettlement: Sendable {
    /// How a stream ended.
    enum Ending {
        case completed
        case failed(GatewayError)
        case abandoned
    }

    private struct State {
        var tokens = TokenCounts()
        /// Tokens relayed to the client so far, estimated from the events' sizes.
        var relayedTokens = 0
        var timeToFirstToken: Duration?
        var settled = false
    }

    let lease: TargetLease
    /// The caller's hold on its rate limits, released when the stream ends.
    private let permit: LimitPermit?
    private let settlement: Settlement
    private let estimatedPromptTokens: Int
    private let state = Mutex(State())

    init(lease: TargetLease, permit: LimitPermit?, settlement: Settlement, estimatedPromptTokens: Int) {
        self.lease = lease
        self.permit = permit
        self.settlement = settlement
        self.estimatedPromptTokens = estimatedPromptTokens
    }

    var context: UpstreamContext { settlement.context }

    /// Notes an event on its way to the client: its time (the first one's is the time to first token) and its
    /// size, from which the tokens it carries are estimated (about four bytes a token beyond an event's framing).
    func relayed(bytes: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            if state.timeToFirstToken == nil { state.timeToFirstToken = now - lease.startedAt }
            state.relayedTokens += max(1, (bytes - 128) / 4)
        }
    }

    /// Usage the upstream reported; a later report replaces an earlier one field by field.
    func reported(_ counts: TokenCounts, replacing: Bool) {
        state.withLock { state in
            if replacing {
                state.tokens = counts
            } else {
                if counts.prompt > 0 { state.tokens.prompt = counts.prompt }
                if counts.cached > 0 { state.tokens.cached = counts.cached }
                if counts.completion > 0 { state.tokens.completion = counts.completion }
            }
        }
    }

    /// The tokens reported so far.
    var tokens: TokenCounts { state.withLock { $0.tokens } }

    /// Settles the stream, once: the target's lease, the caller's permit and the usage record.
    func finish(_ ending: Ending) {
        guard let (tokens, timeToFirstToken) = state.withLock({ state -> (TokenCounts, Duration?)? in
            guard !state.settled else { return nil }
            state.settled = true
            return (Self.charged(state, ending: ending, estimatedPromptTokens: estimatedPromptTokens), state.timeToFirstToken)
        }) else { return }
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

    /// What a stream that ended this way is charged: what the upstream reported; a stream cut short before its
    /// usage arrived pays the estimate for what is missing. An abandoned stream was accepted by its upstream, which
    /// read the prompt, so it pays at least the prompt; a failed one pays only when something was relayed.
    private static func charged(_ state: State, ending: Ending, estimatedPromptTokens: Int) -> TokenCounts {
        var tokens = state.tokens
        switch ending {
        case .completed:
            return tokens
        case .failed:
            guard state.relayedTokens > 0 || tokens.total > 0 else { return tokens }
        case .abandoned:
            break
        }
        if tokens.prompt == 0 { tokens.prompt = estimatedPromptTokens }
        tokens.completion = max(tokens.completion, tokens.completion == 0 ? state.relayedTokens : 0)
        return tokens
    }

    deinit {
        finish(.abandoned)
    }
}
