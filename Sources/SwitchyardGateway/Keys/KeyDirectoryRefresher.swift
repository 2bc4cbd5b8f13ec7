import Logging
import ServiceLifecycle
import SwitchyardCore

/// Checks storage every `interval` and reloads the key directory when keys or teams changed, so keys created or
/// deleted through any replica take effect on this one. When storage cannot be reached, the last directory keeps
/// serving.
public struct KeyDirectoryRefresher: Service {
    let directory: KeyDirectory
    let store: any KeyStore
    let interval: Duration
    let logger: Logger

    public init(directory: KeyDirectory, store: any KeyStore, interval: Duration = .seconds(1), logger: Logger) {
        self.directory = directory
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not reload keys; serving the last ones loaded") {
            try await directory.refreshIfChanged(from: store)
        }
    }
}
