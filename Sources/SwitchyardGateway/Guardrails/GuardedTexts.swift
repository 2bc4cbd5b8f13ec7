import NIOCore
import SwitchyardCore
import SwitchyardWire

/// The texts of a request or an answer that guardrails read, rewritten in place: message contents and their text
/// parts, tool-call arguments and tool results, in each dialect's shape. Images, audio and files are not read.
enum GuardedTexts {
    /// A Chat Completions request or answer: each message's `content` (a string or `text` parts), `refusal`, and
    /// its tool calls' `arguments`; an answer's `choices[].message` the same way.
    static func chat(_ body: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        guard case .object(var fields) = body else { return body }
        if case .array(let messages)? = fields["messages"] {
            fields["messages"] = .array(try messages.map { try chatMessage($0, rewrite) })
        }
        if case .array(let choices)? = fields["choices"] {
            fields["choices"] = .array(
                try choices.map { choice in
                    guard case .object(var members) = choice else { return choice }
                    if let message = members["message"] { members["message"] = try chatMessage(message, rewrite) }
                    return .object(members)
                })
        }
        return .object(fields)
    }

    static func chatMessage(_ message: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        guard case .object(var fields) = message else { return message }
        switch fields["content"] {
        case .string(let text)?:
            fields["content"] = .string(try rewrite(text))
        case .array(let parts)?:
            fields["content"] = .array(try parts.map { try textPart($0, key: "text", rewrite) })
        default:
            break
        }
        if case .string(let refusal)? = fields["refusal"] { fields["refusal"] = .string(try rewrite(refusal)) }
        // A tool result is often JSON text: its strings are read as strings, not as escaped JSON.
        if fields["role"]?.string == "tool", case .string(let text)? = fields["content"] { fields["content"] = .string(try jsonText(text, rewrite)) }
        if case .array(let calls)? = fields["tool_calls"] {
            fields["tool_calls"] = .array(
                try calls.map { call in
                    guard case .object(var members) = call, case .object(var function)? = members["function"],
                        case .string(let arguments)? = function["arguments"]
                    else { return call }
                    function["arguments"] = .string(try jsonText(arguments, rewrite))
                    members["function"] = .object(function)
                    return .object(members)
                })
        }
        return .object(fields)
    }

    /// Text that may be JSON (tool arguments, tool results): when it parses as an object or a list, each string in
    /// it is rewritten and the JSON made again, so an escape (`\n`) never hides or breaks what is found; otherwise
    /// the text itself.
    static func jsonText(_ text: String, _ rewrite: (String) throws -> String) rethrows -> String {
        guard let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let value = try? JSONValue(decoding: text)
        else { return try rewrite(text) }
        let rewritten = try strings(in: value, rewrite)
        return rewritten == value ? text : String(buffer: rewritten.encoded)
    }

    /// An Anthropic Messages request: `system` (a string or text blocks) and each message's content: text blocks,
    /// `tool_use` inputs (their strings) and `tool_result` contents.
    static func anthropic(_ body: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        guard case .object(var fields) = body else { return body }
        if let system = fields["system"] { fields["system"] = try anthropicContent(system, rewrite) }
        if case .array(let messages)? = fields["messages"] {
            fields["messages"] = .array(
                try messages.map { message in
                    guard case .object(var members) = message, let content = members["content"] else { return message }
                    members["content"] = try anthropicContent(content, rewrite)
                    return .object(members)
                })
        }
        return .object(fields)
    }

    static func anthropicContent(_ content: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        switch content {
        case .string(let text):
            return .string(try rewrite(text))
        case .array(let blocks):
            return .array(
                try blocks.map { block in
                    switch block["type"]?.string {
                    case "text"?:
                        return try textPart(block, key: "text", rewrite)
                    case "tool_use"?:
                        guard case .object(var fields) = block, let input = fields["input"] else { return block }
                        fields["input"] = try strings(in: input, rewrite)
                        return .object(fields)
                    case "tool_result"?:
                        guard case .object(var fields) = block, let inner = fields["content"] else { return block }
                        if case .string(let text) = inner {
                            fields["content"] = .string(try jsonText(text, rewrite))
                        } else {
                            fields["content"] = try anthropicContent(inner, rewrite)
                        }
                        return .object(fields)
                    case "document"?, "search_result"?:
                        // Text documents and search results: their title, context and text.
                        guard case .object(var fields) = block else { return block }
                        for key in ["title", "context"] {
                            if case .string(let text)? = fields[key] { fields[key] = .string(try rewrite(text)) }
                        }
                        if let inner = fields["content"] { fields["content"] = try anthropicContent(inner, rewrite) }
                        if case .object(var source)? = fields["source"] {
                            if case .string(let data)? = source["data"], source["type"]?.string == "text" { source["data"] = .string(try rewrite(data)) }
                            if let inner = source["content"] { source["content"] = try anthropicContent(inner, rewrite) }
                            fields["source"] = .object(source)
                        }
                        return .object(fields)
                    default:
                        return block
                    }
                })
        default:
            return content
        }
    }

    /// Embeddings input: a string or a list of strings (token arrays are left alone).
    static func embeddingsInput(_ body: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        guard case .object(var fields) = body else { return body }
        switch fields["input"] {
        case .string(let text)?:
            fields["input"] = .string(try rewrite(text))
        case .array(let items)?:
            fields["input"] = .array(try items.map { item in if case .string(let text) = item { .string(try rewrite(text)) } else { item } })
        default:
            break
        }
        return .object(fields)
    }

    static func textPart(_ part: JSONValue, key: String, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        guard case .object(var fields) = part, case .string(let text)? = fields[key] else { return part }
        fields[key] = .string(try rewrite(text))
        return .object(fields)
    }

    /// Every string in a JSON value (object values and list items, not keys).
    static func strings(in value: JSONValue, _ rewrite: (String) throws -> String) rethrows -> JSONValue {
        switch value {
        case .string(let text): return .string(try rewrite(text))
        case .array(let items): return .array(try items.map { try strings(in: $0, rewrite) })
        case .object(let members): return .object(try members.mapValues { try strings(in: $0, rewrite) })
        default: return value
        }
    }
}
