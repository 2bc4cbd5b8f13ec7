import Logging
import ServiceLifecycle

/// Runs `work` every `interval` until the service is shut down; a failure is logged and the next round tried.
func repeatUntilShutdown(every interval: Duration, logger: Logger, failure: Logger.Message, _ work: @escaping @Sendable () async throws -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
                try await work()
            } catch is CancellationError {
                return
            } catch {
                logger.warning(failure, metadata: ["error": "\(error)"])
            }
        }
    }
}
