/// A pattern given to `PatternDetector` that is not a valid regular expression.
public struct InvalidPatternError: Error, CustomStringConvertible {
    /// The detector's name.
    public let name: String
    /// The pattern as given.
    public let pattern: String
    /// Why it does not compile.
    public let reason: String

    /// The error for `pattern` of the detector `name`, failing for `reason`.
    public init(name: String, pattern: String, reason: String) {
        self.name = name
        self.pattern = pattern
        self.reason = reason
    }

    /// Names the detector and the pattern, and says why it does not compile.
    public var description: String {
        "guardrail \"\(name)\": invalid pattern \"\(pattern)\": \(reason)"
    }
}
