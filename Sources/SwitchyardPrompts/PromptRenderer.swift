import Mustache
import NIOCore
public import SwitchyardCore
public import SwitchyardWire

/// Renders prompt templates with Mustache (`{{variable}}`, sections `{{#items}}…{{/items}}`, inverted sections
/// `{{^flag}}…{{/flag}}`), as plain text: nothing is HTML-escaped, so `{{text}}` and `{{{text}}}` give the same.
/// Strings render as they are, integers as digits, numbers as JSON writes them, booleans as `true`/`false` (and
/// open sections when true), arrays of strings one after another in a section (`{{#tags}}- {{.}}\n{{/tags}}`) or
/// joined with `, ` as `{{tags}}`. A variable a run leaves out (with no default) renders as nothing. Partials are
/// not served.
public enum PromptRenderer {
    /// Turns off HTML escaping for the whole template.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// The longest template taken, in UTF-8 bytes.
    public static let maximumBytes = 100_000
    /// The most tags a template may hold: parsing costs more than linearly in them.
    public static let maximumTags = 2_000

    /// - Throws: 400 naming `param` when `template` is too long, has too many tags, or is not valid Mustache.
    public static func check(_ template: String, param: String) throws(GatewayError) {
        guard template.utf8.count <= maximumBytes else {
            throw .badRequest("'\(param)' must be at most \(maximumBytes) bytes; got \(template.utf8.count).", param: param)
        }
        var tags = 0
        var previous: UInt8 = 0
        for byte in template.utf8 {
            if byte == UInt8(ascii: "{"), previous == UInt8(ascii: "{") {
                tags += 1
                previous = 0
                continue
            }
            previous = byte
        }
        guard tags <= maximumTags else { throw .badRequest("'\(param)' may hold at most \(maximumTags) {{tags}}; got \(tags).", param: param) }
        do {
            _ = try MustacheTemplate(string: textPragma + template)
        } catch {
            throw .badRequest("'\(param)' is not a valid template: \(error).", param: param)
        }
    }

    /// `template` with `values` put in; a template that does not parse (checked when the prompt was made) renders
    /// as it is.
    public static func render(_ template: String, values: [String: JSONValue]) -> String {
        guard let compiled = try? MustacheTemplate(string: textPragma + template) else { return template }
        return compiled.render(values.mapValues(renderable))
    }

    private static func renderable(_ value: JSONValue) -> Any {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .number(let number): return String(buffer: JSONValue.number(number).encoded)
        case .bool(let flag): return flag
        case .array(let items): return StringList(items: items.compactMap(\.string))
        case .null: return ""
        case .object: return String(buffer: value.encoded)
        }
    }
}
