import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on each SIGHUP, as `systemctl reload` and `kill -HUP` expect; the outcome is logged
/// by the reload itself.
struct HangupReloader: Service {
    let reloader: ConfigurationReloader

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                _ = await reloader.reload()
            }
        }
    }
}
