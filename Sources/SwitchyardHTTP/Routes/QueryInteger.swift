import Hummingbird
import SwitchyardCore

/// Reads whole-number query parameters into a bounded range: a value that is not a number, or lies outside the
/// range, is a 400 naming the parameter, never a trap in the arithmetic that follows.
enum QueryInteger {
    /// The value of `name` in `parameters`, or nil when absent.
    /// - Throws: 400 naming `name` when the value is not a whole number within `range`.
    static func read(_ name: String, in parameters: Parameters, range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let text = parameters.get(name) else { return nil }
        guard text.utf8.count <= 20, let value = Int(text), range.contains(value) else {
            throw .badRequest("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound).", param: name)
        }
        return value
    }
}
