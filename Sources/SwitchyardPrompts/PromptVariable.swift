public import SwitchyardCore
public import SwitchyardWire

/// A typed variable of a prompt template: what a run must (or may) give for it, checked before anything is sent.
public struct PromptVariable: Sendable, Equatable {
    /// What values it takes.
    public enum Kind: Sendable, Equatable {
        case string
        case number
        case integer
        case boolean
        /// One of the strings listed.
        case enumeration([String])
        /// An array of strings.
        case stringArray
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    /// Used when a run leaves the variable out.
    public var defaultValue: JSONValue?
    /// The most characters a string (or each string of an array) may have.
    public var maxLength: Int?
    /// A regular expression a string (or each string of an array) must match whole.
    public var pattern: String?

    /// The types a definition may name.
    public static let typeNames = ["string", "number", "integer", "boolean", "enum", "array"]

    /// The variable `name` as a definition's `variables.<name>` describes it: `type` (default `string`),
    /// `required`, `default`, `max_length`, `pattern`, and `values` (or `enum`) for an enum.
    /// - Throws: 400 naming `variables.<name>` and what is wrong with it.
    public init(name: String, spec: JSONValue) throws(GatewayError) {
        let path = "variables.\(name)"
        guard Self.isValidName(name) else {
            throw .badRequest("Variable name '\(name)' must start with a letter or _ and hold only letters, digits and _.", param: path)
        }
        guard case .object(let fields) = spec else { throw .badRequest("'\(path)' must be an object with the variable's type.", param: path) }
        let allowed: Set<String> = ["type", "required", "default", "max_length", "pattern", "values", "enum", "description"]
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .badRequest("Unknown field '\(path).\(unknown)'; expected some of: \(allowed.sorted().joined(separator: ", ")).", param: "\(path).\(unknown)")
        }
        self.name = name
        let typeName = fields["type"]?.string ?? "string"
        switch typeName {
        case "string": kind = .string
        case "number": kind = .number
        case "integer": kind = .integer
        case "boolean": kind = .boolean
        case "array": kind = .stringArray
        case "enum":
            let listed = (fields["values"] ?? fields["enum"])?.array ?? []
            let values = listed.compactMap(\.string)
            guard !values.isEmpty, values.count == listed.count else {
                throw .badRequest("'\(path)' is an enum: give its 'values' as a non-empty array of strings.", param: "\(path).values")
            }
            kind = .enumeration(values)
        default:
            throw .badRequest("'\(path).type' must be one of: \(Self.typeNames.joined(separator: ", ")); got '\(typeName)'.", param: "\(path).type")
        }
        if let flag = fields["required"], !flag.isNull {
            guard let required = flag.bool else { throw .badRequest("'\(path).required' must be true or false.", param: "\(path).required") }
            self.required = required
        } else {
            required = false
        }
        if let limit = fields["max_length"], !limit.isNull {
            guard case .integer(let value) = limit, value > 0, value <= 10_000_000 else {
                throw .badRequest("'\(path).max_length' must be a whole number from 1 to 10000000.", param: "\(path).max_length")
            }
            maxLength = Int(value)
        }
        if let text = fields["pattern"], !text.isNull {
            guard let pattern = text.string, (try? Regex(pattern)) != nil else {
                throw .badRequest("'\(path).pattern' must be a valid regular expression.", param: "\(path).pattern")
            }
            self.pattern = pattern
        }
        if let value = fields["default"], !value.isNull {
            do throws(GatewayError) {
                defaultValue = try checked(value)
            } catch {
                throw .badRequest("'\(path).default' does not fit the variable: \(error.message)", param: "\(path).default")
            }
        }
    }

    /// The value a run gives (`nil` when it gives none) as it will be rendered: checked, or the default.
    /// - Throws: 400 naming `variables.<name>` when it is missing, of the wrong type, too long, or does not match.
    public func value(from given: JSONValue?) throws(GatewayError) -> JSONValue? {
        guard let given, !given.isNull else {
            if let defaultValue { return defaultValue }
            if required { throw .badRequest("Variable '\(name)' is required.", param: "variables.\(name)") }
            return nil
        }
        return try checked(given)
    }

    private func checked(_ value: JSONValue) throws(GatewayError) -> JSONValue {
        let param = "variables.\(name)"
        switch kind {
        case .string:
            guard let text = value.string else { throw .badRequest("Variable '\(name)' must be a string.", param: param) }
            try check(text)
        case .number:
            switch value {
            case .number(let number) where number.isFinite: break
            case .integer: break
            default: throw .badRequest("Variable '\(name)' must be a number.", param: param)
            }
        case .integer:
            switch value {
            case .integer: break
            case .number(let number) where number.isFinite && number.rounded() == number && abs(number) < 9e15:
                return .integer(Int64(number))
            default: throw .badRequest("Variable '\(name)' must be a whole number.", param: param)
            }
        case .boolean:
            guard value.bool != nil else { throw .badRequest("Variable '\(name)' must be true or false.", param: param) }
        case .enumeration(let values):
            guard let text = value.string, values.contains(text) else {
                throw .badRequest("Variable '\(name)' must be one of: \(values.joined(separator: ", ")).", param: param)
            }
        case .stringArray:
            guard let items = value.array, items.allSatisfy({ $0.string != nil }) else {
                throw .badRequest("Variable '\(name)' must be an array of strings.", param: param)
            }
            for item in items.compactMap(\.string) { try check(item) }
        }
        return value
    }

    private func check(_ text: String) throws(GatewayError) {
        let param = "variables.\(name)"
        if let maxLength, text.count > maxLength {
            throw .badRequest("Variable '\(name)' must be at most \(maxLength) characters; got \(text.count).", param: param)
        }
        if let pattern, let regex = try? Regex(pattern), (try? regex.wholeMatch(in: text)) == nil {
            throw .badRequest("Variable '\(name)' must match the pattern \(pattern).", param: param)
        }
    }

    /// Letters, digits and `_`, not starting with a digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.isEmpty, name.utf8.count <= 64 else { return false }
        let isLetter = { (scalar: Unicode.Scalar) in scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_") }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}
