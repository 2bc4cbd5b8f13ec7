import ArgumentParser
import SwitchyardConfig

/// `switchyard check-config`: validates a configuration file and reports every problem with its key path.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file; exit 1 if it has errors.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        guard let path = options.path else {
            printError("no configuration file: pass --config FILE or set SWITCHYARD_CONFIG")
            throw ExitCode(1)
        }
        let loaded = try options.load(path)
        let configuration = loaded.configuration
        printNow(
            "\(path): OK (\(configuration.providers.count) providers, \(configuration.models.count) models"
                + (loaded.warnings.isEmpty ? ")" : ", \(loaded.warnings.count) warnings)"))
    }
}
