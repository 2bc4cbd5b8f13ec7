/// Finds the matches of regular expressions (Swift `Regex` syntax, `(?i)` and the like allowed); each detection's
/// kind is the detector's name. The patterns are compiled once, when the detector is made.
public struct PatternDetector: Sendable {
    /// The kind of every detection: the guardrail's name.
    public let name: String
    /// The regular expressions, as given.
    public let patterns: [String]
    private let compiled: CompiledPatterns

    /// Compiled regexes, shared by every request. `Regex` is not declared `Sendable`, but matching only reads it:
    /// its program is lowered when it is first matched, which is done here before it is shared.
    private final class CompiledPatterns: @unchecked Sendable {
        let regexes: [Regex<AnyRegexOutput>]

        init(_ regexes: [Regex<AnyRegexOutput>]) {
            for regex in regexes { _ = "".firstMatch(of: regex) }
            self.regexes = regexes
        }
    }

    /// A detector named `name` for `patterns`, each checked to compile.
    /// - Throws: `InvalidPatternError` naming the first pattern that does not compile.
    public init(name: String, patterns: [String]) throws {
        var regexes: [Regex<AnyRegexOutput>] = []
        for pattern in patterns {
            do {
                regexes.append(try Regex<AnyRegexOutput>(pattern))
            } catch {
                throw InvalidPatternError(name: name, pattern: pattern, reason: String(describing: error))
            }
        }
        self.name = name
        self.patterns = patterns
        compiled = CompiledPatterns(regexes)
    }

    /// The matches of every pattern, sorted by start; of overlapping ones the longer stays. Empty matches are left out.
    public func detections(in text: String) -> [Detection] {
        var found: [Detection] = []
        let utf8 = text.utf8
        for regex in compiled.regexes {
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
