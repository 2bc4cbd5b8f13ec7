import Logging
import SwitchyardCore

/// Walks a plan of attempts until one succeeds. A failure that another target might not have (timeout,
/// unreachable, 429, 5xx) moves on to the next attempt; any other error is the client's and ends the loop at once.
struct AttemptLoop {
    let plan: [ModelCatalog.Attempt]
    let model: String

    /// The value of the first successful attempt and the attempt that produced it.
    func run<Value>(
        context: UpstreamContext, _ operation: (ModelCatalog.Attempt) async throws -> Value
    ) async throws -> (Value, ModelCatalog.Attempt) {
        var failures: [(attempt: ModelCatalog.Attempt, error: GatewayError)] = []
        for attempt in plan {
            try Task.checkCancellation()
            do {
                return (try await operation(attempt), attempt)
            } catch let error as GatewayError where error.isRetryable {
                context.logger.warning(
                    "upstream attempt failed",
                    metadata: [
                        "model": "\(model)", "provider": "\(attempt.target.provider)", "target_model": "\(attempt.target.model)",
                        "status": "\(error.status)", "error": "\(error.message)",
                    ])
                failures.append((attempt, error))
            }
        }
        throw Self.finalError(model: model, failures: failures)
    }

    /// What the client gets when every attempt failed: 429 when all were rate limited (with the smallest
    /// Retry-After seen), 504 when all timed out, 502 otherwise.
    static func finalError(model: String, failures: [(attempt: ModelCatalog.Attempt, error: GatewayError)]) -> GatewayError {
        guard !failures.isEmpty else {
            return GatewayError(status: 502, kind: .api, code: "no_target", message: "The model '\(model)' has no usable target.")
        }
        let details = failures.map { "\($0.attempt.target.provider)/\($0.attempt.target.model): \($0.error.message)" }
            .joined(separator: "; ")
        if failures.allSatisfy({ $0.error.status == 429 }) {
            var error = GatewayError(
                status: 429, kind: .rateLimit, code: "rate_limit_exceeded",
                message: "Every target of '\(model)' is rate limited upstream. \(details)")
            error.retryAfterSeconds = failures.compactMap(\.error.retryAfterSeconds).min()
            return error
        }
        if failures.allSatisfy({ $0.error.status == 504 }) {
            return GatewayError(status: 504, kind: .timeout, code: "upstream_timeout", message: "Every target of '\(model)' timed out. \(details)")
        }
        return GatewayError(status: 502, kind: .api, code: "upstream_error", message: "Every target of '\(model)' failed. \(details)")
    }
}
