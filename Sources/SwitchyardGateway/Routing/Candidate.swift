import Logging
import SwitchyardCore
import Tracing

/// One candidate for an attempt: the target's monitor and the adapter that reaches it.
struct Candidate: Sendable {
    let monitor: TargetMonitor
    let provider: any Provider
    var target: Target { monitor.target }
}
