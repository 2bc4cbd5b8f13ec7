import ArgumentParser
import Foundation
import Logging
import SwitchyardApp
import SwitchyardConfig

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A self-hosted LLM gateway: one OpenAI-compatible API in front of every model.",
        version: SwitchyardVersion.current,
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

/// The release this binary was built from.
enum SwitchyardVersion {
    static let current = "0.1.0"
}

/// Options shared by the commands that read a configuration file.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration file (default: $SWITCHYARD_CONFIG).")
    var config: String?

    /// The file to read, from the option or the environment; nil for the embedded default.
    var path: String? {
        config ?? ProcessInfo.processInfo.environment["SWITCHYARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads and validates the file at `path`, printing warnings and problems.
    func load(_ path: String) throws -> LoadedConfiguration {
        do throws(ConfigurationError) {
            let loaded = try Self.read(path)
            for warning in loaded.warnings { printError("warning: \(warning)") }
            return loaded
        } catch {
            for problem in error.problems { printError("error: \(problem)") }
            printError("\(path): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") found")
            throw ExitCode(1)
        }
    }

    /// Reads and validates the file at `path`, what the upstream adapters check included.
    static func read(_ path: String) throws(ConfigurationError) -> LoadedConfiguration {
        let loaded = try ConfigurationLoader(environment: ProcessInfo.processInfo.environment).load(fileAt: path)
        let problems = ConfigurationCheck.problems(in: loaded.configuration)
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return loaded
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints to standard output at once, even when it is a pipe (a service manager's log, a test).
func printNow(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
