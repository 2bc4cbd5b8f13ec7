import ArgumentParser
import Foundation
import Logging
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTelemetry

/// `switchyard serve`: runs the gateway until SIGTERM or SIGINT, then drains in-flight requests and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOption

    @Option(help: "The address to listen on (overrides server.host).")
    var host: String?

    @Option(help: "The port to listen on (overrides server.port).")
    var port: Int?

    func run() async throws {
        // SIGHUP asks for a reload; until the server traps it, it must not end the process (its default).
        signal(SIGHUP, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let path = options.path
        let file = try path.map { try options.load($0).configuration }
        Self.bootstrapLogging(file?.logging ?? LoggingSettings(), environment: environment)
        defer { LogLineWriter.standardError.flush() }
        let logger = Logger(label: "switchyard")
        var notes: [String] = []
        let configuration: Configuration
        if let file {
            configuration = overriding(file, environment: environment)
        } else {
            let discovery = await EmbeddedDefaults.discover(environment: environment, logger: logger)
            configuration = overriding(discovery.configuration, environment: environment)
            notes = ["No configuration file given: running on the embedded default (SQLite at ./switchyard.db)."] + discovery.notes
            if discovery.configuration.providers.isEmpty {
                notes.append("No provider found: set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, start Ollama, or pass --config FILE.")
            }
        }
        // A reload reads the file again (or looks for providers again), with the same command-line overrides.
        let command = self
        let source: ConfigurationSource = {
            var loaded: LoadedConfiguration
            if let path {
                loaded = try ConfigOption.read(path)
            } else {
                loaded = LoadedConfiguration(configuration: await EmbeddedDefaults.discover(environment: environment, logger: logger).configuration, warnings: [])
            }
            loaded.configuration = command.overriding(loaded.configuration, environment: environment)
            return loaded
        }
        let server: SwitchyardServer
        let startNotes = notes
        do {
            server = try await SwitchyardServer.make(
                configuration: configuration, source: source, logger: logger, logSettings: .process,
                onRunning: { port in
                    printNow(Self.banner(configuration, port: port, notes: startNotes))
                })
        } catch {
            printError("switchyard cannot start: \(error)")
            throw ExitCode(1)
        }
        if let key = server.generatedMasterKey {
            printNow(
                """
                Generated a master key (shown only this once; its digest is stored in the database):
                    \(key)
                Set SWITCHYARD_MASTER_KEY or server.master_key to choose your own.
                """)
        }
        try await server.run()
        printNow("switchyard stopped")
    }

    /// `configuration` with the command line's `--host` and `--port`, and tracing turned on by the standard
    /// OpenTelemetry variables when the file does not.
    func overriding(_ configuration: Configuration, environment: [String: String]) -> Configuration {
        var configuration = configuration
        if configuration.telemetry.otlpEndpoint == nil {
            configuration.telemetry.otlpEndpoint =
                environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
                ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"].flatMap { $0.isEmpty ? nil : ($0.hasSuffix("/") ? $0 : $0 + "/") + "v1/traces" }
        }
        if let level = environment["LOG_LEVEL"].flatMap({ Logger.Level(rawValue: $0.lowercased()) }) { configuration.logging.level = level.rawValue }
        if let format = environment["LOG_FORMAT"].flatMap({ LoggingSettings.Format(rawValue: $0.lowercased()) }) { configuration.logging.format = format }
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        return configuration
    }

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
    }

    /// Logs go to standard error, one line each, in the configured format and level; `LOG_LEVEL` and
    /// `LOG_FORMAT` override the file.
    static func bootstrapLogging(_ settings: LoggingSettings, environment: [String: String]) {
        let level =
            environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? Logger.Level(rawValue: settings.level) ?? .info
        let format = environment["LOG_FORMAT"].flatMap { LoggingSettings.Format(rawValue: $0.lowercased()) } ?? settings.format
        LogSettings.process.update(level: level, format: format)
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, settings: .process) }
    }

    static func banner(_ configuration: Configuration, port: Int, notes: [String]) -> String {
        let base = "http://\(configuration.server.host):\(port)"
        var lines = notes
        lines.append("Switchyard \(SwitchyardVersion.current) listening on \(base)")
        for provider in configuration.providers { lines.append("  provider \(provider.name) (\(provider.kind.rawValue)) at \(provider.baseURL)") }
        let names = configuration.models.map(\.name)
        lines.append("  models: " + (names.isEmpty ? "none" : names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", ..." : "")))
        lines.append(
            """
            Call it like the OpenAI API:
              curl \(base)/v1/chat/completions -H "Authorization: Bearer $SWITCHYARD_MASTER_KEY" \\
                -H "content-type: application/json" -d '{"model": "\(names.first ?? "MODEL")", "messages": [{"role": "user", "content": "Hello"}]}'
            """)
        return lines.joined(separator: "\n")
    }
}
