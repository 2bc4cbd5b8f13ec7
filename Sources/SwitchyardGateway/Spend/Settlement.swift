import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire
import Tracing

/// What settling a streamed request needs once the stream ends.
struct Settlement: Sendable {
    let meter: UsageMeter?
    let context: UpstreamContext
    let caller: Caller?
    let model: String
    let target: Target
    let started: ContinuousClock.Instant

    func settle(tokens: TokenCounts, status: Int, timeToFirstToken: Duration?) {
        meter?.settle(
            context: context, caller: caller, model: model, target: target, tokens: tokens, status: status, started: started,
            timeToFirstToken: timeToFirstToken)
    }
}
