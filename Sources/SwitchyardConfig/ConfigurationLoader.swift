import Foundation
import SwitchyardCore
import Yams

/// Reads the YAML configuration file into a validated ``Configuration``.
///
/// Every problem is collected with its key path; unknown keys are rejected. `${VAR}` and `${VAR:-default}` are
/// replaced in scalar values after parsing, so a variable's content can never change the file's structure.
package struct ConfigurationLoader: Sendable {
    package var environment: [String: String]

    package init(environment: [String: String]) {
        self.environment = environment
    }

    /// Reads, parses and validates the file at `path`.
    /// - Throws: ``ConfigurationError`` listing every problem (one, when the file cannot be read).
    package func load(fileAt path: String) throws(ConfigurationError) -> LoadedConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "cannot read \(path): \(error.localizedDescription)")])
        }
        return try load(yaml: text)
    }

    /// Parses and validates `yaml`.
    /// - Throws: ``ConfigurationError`` listing every problem.
    package func load(yaml: String) throws(ConfigurationError) -> LoadedConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "not valid YAML: \(error)")])
        }
        var reader = ConfigurationReader(interpolation: EnvironmentInterpolation(environment: environment))
        let configuration = reader.readConfiguration(root)
        guard reader.problems.isEmpty, let configuration else {
            throw ConfigurationError(problems: reader.problems)
        }
        return LoadedConfiguration(configuration: configuration, warnings: reader.warnings)
    }
}
