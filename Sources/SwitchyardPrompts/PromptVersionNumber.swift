public import SwitchyardCore
public import SwitchyardWire

/// A prompt version as a request gives it: an integer, or its decimal string (as OpenAI's SDK sends it).
public enum PromptVersionNumber {
    /// The version `value` names; nil when it is absent or null.
    /// - Throws: 400 naming `param` for anything but a whole number from 1 (or its decimal string).
    public static func parse(_ value: JSONValue?, param: String) throws(GatewayError) -> Int? {
        guard let value, !value.isNull else { return nil }
        let number: Int?
        switch value {
        case .integer(let integer): number = Int(exactly: integer)
        case .string(let text): number = text.count <= 9 ? Int(text) : nil
        case .number(let double) where double.rounded() == double && double >= 1 && double < 1e9: number = Int(double)
        default: number = nil
        }
        guard let number, number >= 1, number < 1_000_000_000 else {
            throw .badRequest("'\(param)' must be a version number (a whole number from 1, or its decimal string).", param: param)
        }
        return number
    }
}
