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

    /// The most values (scalars, mappings and sequences, aliases expanded) a file may hold: far above any real
    /// configuration (20,000 models are about 200,000).
    static let maximumValues = 1_000_000

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
        // The parser compares mapping keys whole, aliases expanded, so an alias as a key could stand for billions of
        // values before any other check runs. Keys here are plain names: such a file is refused before parsing.
        if let line = Self.lineWithAliasAsKey(in: yaml) {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "line \(line): a YAML alias (*name) cannot be a key")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "not valid YAML: \(error)")])
        }
        // An empty file is a mistake (a truncated write, a missing mount), not a gateway with nothing configured: on a
        // reload it would take every model away.
        let isNull = root.map { node in
            if case .scalar(let scalar) = node { ["", "~", "null", "Null", "NULL"].contains(scalar.string) } else { false }
        }
        guard let root, isNull == false else {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "", message: "the file is empty: it configures nothing")])
        }
        // Aliases can make a small file stand for billions of values; reading them would hold the process.
        if root.expandsBeyond(Self.maximumValues) {
            throw ConfigurationError(problems: [
                ConfigurationProblem(path: "", message: "the file holds more than \(Self.maximumValues) values once its YAML aliases are expanded")
            ])
        }
        var reader = ConfigurationReader(interpolation: EnvironmentInterpolation(environment: environment))
        let configuration = reader.readConfiguration(root)
        guard reader.problems.isEmpty, let configuration else {
            throw ConfigurationError(problems: reader.problems)
        }
        return LoadedConfiguration(configuration: configuration, warnings: reader.warnings)
    }
}

extension ConfigurationLoader {
    /// The first line (from 1) where an alias stands as a mapping key: `*name:` at the start of a line or of a list
    /// item, after `{` or `,` in a flow mapping, or after `?`.
    static func lineWithAliasAsKey(in yaml: String) -> Int? {
        guard yaml.contains("*") else { return nil }
        let aliasThenColon = /(?:^\s*(?:-\s+)*|[{,]\s*)\*[A-Za-z0-9_.\-]+\s*:(?:\s|$)/
        let explicitAliasKey = /(?:^\s*(?:-\s+)*|[{,]\s*)\?\s+\*/
        var number = 0
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.contains("*"), line.contains(aliasThenColon) || line.contains(explicitAliasKey) { return number }
        }
        return nil
    }
}

extension Node {
    /// Whether the document holds more than `limit` values with its aliases expanded; stops counting at the limit.
    func expandsBeyond(_ limit: Int) -> Bool {
        var budget = limit
        func fits(_ node: Node) -> Bool {
            budget -= 1
            guard budget >= 0 else { return false }
            switch node {
            case .scalar, .alias: return true
            case .mapping(let mapping): return mapping.allSatisfy { fits($0.key) && fits($0.value) }
            case .sequence(let sequence): return sequence.allSatisfy(fits)
            }
        }
        return !fits(self)
    }
}
