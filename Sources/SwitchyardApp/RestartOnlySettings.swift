import SwitchyardConfig
import SwitchyardCore

/// The settings a reload cannot change in a running process: what the listening socket, storage (and how often
/// spend and limits are synced through it), the master key and its staleness bound, the trace exporter, the alert
/// sink, the sign-in sessions and the response leases were built with.
/// A reloaded file that changes them is still applied, with these kept at their running values and named in the
/// answer as waiting for a restart.
enum RestartOnlySettings {
    private struct Setting {
        let path: String
        let differs: (Configuration, Configuration) -> Bool
        let keep: (inout Configuration, Configuration) -> Void
    }

    private static func setting<Value: Equatable>(_ path: String, _ keyPath: WritableKeyPath<Configuration, Value>) -> Setting {
        Setting(path: path, differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] }, keep: { $0[keyPath: keyPath] = $1[keyPath: keyPath] })
    }

    private static var all: [Setting] {
        [
            setting("server.host", \.server.host),
            setting("server.port", \.server.port),
            setting("server.master_key", \.server.masterKey),
            setting("server.max_body_bytes", \.server.maxBodyBytes),
            setting("server.request_head_timeout_seconds", \.server.requestHeadTimeout),
            setting("server.request_body_timeout_seconds", \.server.requestBodyTimeout),
            setting("server.shutdown_grace_seconds", \.server.shutdownGracePeriod),
            setting("server.max_connections", \.server.maxConnections),
            setting("server.max_buffered_body_bytes", \.server.maxBufferedBodyBytes),
            setting("server.write_timeout_seconds", \.server.writeTimeout),
            setting("server.final_flush_seconds", \.server.finalFlushBudget),
            setting("server.keys_max_staleness_seconds", \.server.keysMaxStaleness),
            setting("storage.url", \.storage),
            setting("storage.sync_interval_seconds", \.storageSyncInterval),
            setting("telemetry.otlp_endpoint", \.telemetry.otlpEndpoint),
            setting("telemetry.otlp_protocol", \.telemetry.otlpProtocol),
            setting("telemetry.service_name", \.telemetry.serviceName),
            setting("telemetry.sample_ratio", \.telemetry.sampleRatio),
            setting("telemetry.export_interval_seconds", \.telemetry.exportInterval),
            setting("alerts.webhook_url", \.alertWebhookURL),
            setting("ui.enabled", \.ui.enabled),
            setting("ui.session_ttl_seconds", \.ui.sessionLifetime),
            setting("responses.lease_seconds", \.responsesLease),
        ]
    }

    /// The key paths of the restart-only settings `new` changes.
    static func changes(from running: Configuration, to new: Configuration) -> [String] {
        all.filter { $0.differs(running, new) }.map(\.path)
    }

    /// `new` with every restart-only setting at its value in `running`.
    static func keeping(_ running: Configuration, in new: Configuration) -> Configuration {
        var kept = new
        for setting in all { setting.keep(&kept, running) }
        return kept
    }
}
