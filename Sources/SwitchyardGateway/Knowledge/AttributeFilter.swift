package import SwitchyardCore
package import SwitchyardWire

/// A search filter on files' attributes, in OpenAI's shape: a comparison `{"type": "eq", "key", "value"}` (eq, ne,
/// gt, gte, lt, lte, in, nin) or a compound `{"type": "and" | "or", "filters": [...]}`.
package indirect enum AttributeFilter: Sendable, Equatable {
    case comparison(key: String, operator: String, value: JSONValue)
    case compound(all: Bool, [AttributeFilter])

    static let comparisons: Set<String> = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    /// Compound filters nest at most this deep.
    static let maximumDepth = 8

    /// Comparisons a filter holds at most, however nested (the values of `in` and `nin` lists count).
    static let maximumComparisons = 100

    /// Reads a filter; `param` names it in errors.
    package init(_ json: JSONValue, param: String = "filters") throws(GatewayError) {
        try self.init(json, param: param, depth: 0)
        guard comparisons <= Self.maximumComparisons else {
            throw .badRequest("\(param) holds \(comparisons) comparisons; at most \(Self.maximumComparisons) are allowed.", param: param)
        }
    }

    /// How many comparisons the filter holds (each value of an `in` or `nin` list is one).
    var comparisons: Int {
        switch self {
        case .comparison(_, _, let value): max(1, value.array?.count ?? 1)
        case .compound(_, let filters): filters.reduce(0) { $0 + $1.comparisons }
        }
    }

    private init(_ json: JSONValue, param: String, depth: Int) throws(GatewayError) {
        guard depth < Self.maximumDepth else { throw .badRequest("\(param): filters nest at most \(Self.maximumDepth) deep.", param: param) }
        guard let type = json["type"]?.string else { throw .badRequest("\(param).type is required.", param: "\(param).type") }
        if type == "and" || type == "or" {
            guard let filters = json["filters"]?.array, !filters.isEmpty, filters.count <= 64 else {
                throw .badRequest("\(param).filters must be a list of 1 to 64 filters.", param: "\(param).filters")
            }
            var parsed: [AttributeFilter] = []
            for (index, filter) in filters.enumerated() {
                parsed.append(try AttributeFilter(filter, param: "\(param).filters[\(index)]", depth: depth + 1))
            }
            self = .compound(all: type == "and", parsed)
            return
        }
        guard Self.comparisons.contains(type) else {
            throw .badRequest(
                "\(param).type '\(type)' is not a filter; use eq, ne, gt, gte, lt, lte, in, nin, and or or.", param: "\(param).type")
        }
        guard let key = json["key"]?.string, !key.isEmpty else { throw .badRequest("\(param).key is required.", param: "\(param).key") }
        let value = json["value"] ?? .null
        let scalar = { (value: JSONValue) -> Bool in
            switch value {
            case .string, .number, .integer, .bool: true
            default: false
            }
        }
        if type == "in" || type == "nin" {
            guard let values = value.array, values.allSatisfy(scalar) else {
                throw .badRequest("\(param).value must be a list of strings, numbers or booleans for '\(type)'.", param: "\(param).value")
            }
        } else if !scalar(value) {
            throw .badRequest("\(param).value must be a string, a number or a boolean.", param: "\(param).value")
        }
        self = .comparison(key: key, operator: type, value: value)
    }

    /// Whether a file with `attributes` passes. A file without the key passes only `ne` and `nin`; values of
    /// different kinds are never equal and never ordered.
    package func matches(_ attributes: [String: JSONValue]) -> Bool {
        switch self {
        case .compound(let all, let filters):
            return all ? filters.allSatisfy { $0.matches(attributes) } : filters.contains { $0.matches(attributes) }
        case .comparison(let key, let comparison, let value):
            guard let actual = attributes[key] else { return comparison == "ne" || comparison == "nin" }
            switch comparison {
            case "eq": return Self.order(actual, value) == 0
            case "ne": return Self.order(actual, value) != 0
            case "in": return value.array?.contains { Self.order(actual, $0) == 0 } ?? false
            case "nin": return !(value.array?.contains { Self.order(actual, $0) == 0 } ?? false)
            default:
                guard let order = Self.order(actual, value) else { return false }
                switch comparison {
                case "gt": return order > 0
                case "gte": return order >= 0
                case "lt": return order < 0
                default: return order <= 0
                }
            }
        }
    }

    /// -1, 0 or 1 as `left` is below, equal to or above `right`; nil for values of different kinds.
    static func order(_ left: JSONValue, _ right: JSONValue) -> Int? {
        if let a = number(left), let b = number(right) { return a < b ? -1 : a > b ? 1 : 0 }
        if let a = left.string, let b = right.string { return a < b ? -1 : a > b ? 1 : 0 }
        if let a = left.bool, let b = right.bool { return a == b ? 0 : (a ? 1 : -1) }
        return nil
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .integer(let number): Double(number)
        default: nil
        }
    }
}
