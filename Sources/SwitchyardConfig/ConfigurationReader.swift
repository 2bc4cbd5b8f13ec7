import SwitchyardCore
import Yams

/// Walks the YAML tree, collecting problems with their key paths.
struct ConfigurationReader {
    let interpolation: EnvironmentInterpolation
    var problems: [ConfigurationProblem] = []
    var warnings: [ConfigurationProblem] = []

    init(interpolation: EnvironmentInterpolation) {
        self.interpolation = interpolation
    }

    mutating func problem(_ path: String, _ message: String) {
        problems.append(ConfigurationProblem(path: path, message: message))
    }

    mutating func warning(_ path: String, _ message: String) {
        warnings.append(ConfigurationProblem(path: path, message: message))
    }

    // MARK: Structure

    /// The members of a mapping, keyed by name; reports keys outside `allowed` and duplicate keys.
    mutating func mapping(_ node: Node?, at path: String, allowed: [String]) -> [String: Node]? {
        guard let node, !isNull(node) else { return [:] }
        guard case .mapping(let mapping) = node else {
            problem(path, "expected a mapping of keys to values")
            return nil
        }
        var members: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                problem(path, "keys must be plain strings")
                continue
            }
            let keyPath = join(path, key.string)
            if !allowed.contains(key.string) {
                problem(keyPath, "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            } else if members[key.string] != nil {
                problem(keyPath, "appears more than once")
            } else {
                members[key.string] = value
            }
        }
        return members
    }

    mutating func sequence(_ node: Node?, at path: String) -> [Node] {
        guard let node, !isNull(node) else { return [] }
        guard case .sequence(let sequence) = node else {
            problem(path, "expected a list")
            return []
        }
        return Array(sequence)
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: Scalars

    /// The interpolated text of a scalar; nil when absent, null, or empty after interpolation.
    mutating func string(_ node: Node?, at path: String) -> String? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let scalar) = node else {
            problem(path, "expected a single value, not a list or mapping")
            return nil
        }
        do {
            let (text, unset) = try interpolation.interpolate(scalar.string)
            for name in unset { warning(path, "environment variable \(name) is not set; using an empty value") }
            return text.isEmpty ? nil : text
        } catch {
            switch error {
            case .unterminated: problem(path, "'${' without a closing '}'")
            case .invalidName(let name): problem(path, "'\(name)' is not a valid environment variable name")
            }
        }
        return nil
    }

    mutating func requiredString(_ node: Node?, at path: String) -> String? {
        guard let value = string(node, at: path) else {
            if problems.last?.path != path { problem(path, "is required") }
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node?, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text.replacingUnderscores()) else {
            problem(path, "expected a whole number, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            problem(path, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    mutating func number(_ node: Node?, at path: String, minimum: Double, exclusive: Bool = false) -> Double? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Double(text), value.isFinite else {
            problem(path, "expected a number, got '\(text)'")
            return nil
        }
        guard exclusive ? value > minimum : value >= minimum else {
            problem(path, exclusive ? "must be greater than \(minimum.formatted)" : "must be at least \(minimum.formatted)")
            return nil
        }
        return value
    }

    mutating func seconds(_ node: Node?, at path: String) -> Duration? {
        guard let value = number(node, at: path, minimum: 0, exclusive: true) else { return nil }
        // A billion seconds (about 31 years) is beyond any timeout, and keeps the arithmetic on it in range.
        guard value <= 1e9 else {
            problem(path, "must be at most 1000000000 seconds")
            return nil
        }
        return .milliseconds(Int64(saturating: (value * 1000).rounded()))
    }

    mutating func bool(_ node: Node?, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(path, "expected true or false, got '\(text)'")
            return nil
        }
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node?, at path: String, as type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            problem(path, "'\(text)' is not supported; expected one of: \(names)")
            return nil
        }
        return value
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

extension Double {
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}
