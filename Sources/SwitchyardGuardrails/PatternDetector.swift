/// Finds the matches of regular expressions (Swift `Regex` syntax, `(?i)` and the like allowed); each detection's
/// kind is the detector's name.
///
/// Compiled regexes (`Regex<AnyRegexOutput>`) are not `Sendable`, so the detector keeps the pattern strings, checked
/// once when it is made, and compiles them on each call.
public struct PatternDetector: Sendable {
    /// The kind of every detection: the guardrail's name.
    public let name: String
    /// The regular expressions, as given.
    public let patterns: [String]

    /// A detector named `name` for `patterns`, each checked to compile.
    /// - Throws: `InvalidPatternError` naming the first pattern that does not compile.
    public init(name: String, patterns: [String]) throws {
        for pattern in patterns {
            do {
                _ = try Regex<AnyRegexOutput>(pattern)
            } catch {
                throw InvalidPatternError(name: name, pattern: pattern, reason: String(describing: error))
            }
        }
        self.name = name
        self.patterns = patterns
    }

    /// The matches of every pattern, sorted by start; of overlapping ones the longer stays. Empty matches are left out.
    public func detections(in text: String) -> [Detection] {
        var found: [Detection] = []
        let utf8 = text.utf8
        for pattern in patterns {
            guard let regex = try? Regex<AnyRegexOutput>(pattern) else { continue }
            for match in text.matches(of: regex) {
                let start = utf8.distance(from: utf8.startIndex, to: match.range.lowerBound)
                let end = utf8.distance(from: utf8.startIndex, to: match.range.upperBound)
                guard start < end else { continue }
                found.append(Detection(kind: name, range: start..<end))
            }
        }
        return OverlapResolver.resolve(found)
    }
}
