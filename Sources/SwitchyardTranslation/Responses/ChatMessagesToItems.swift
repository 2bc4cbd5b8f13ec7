package import SwitchyardCore
package import SwitchyardWire

/// Turns Chat Completions messages into Responses items, the shape conversations keep: a user or system message
/// becomes a message item (text parts `input_text`, images `input_image`), an assistant message a message item
/// for its text and a `function_call` item per tool call (its arguments byte for byte), a tool message a
/// `function_call_output` item.
package enum ChatMessagesToItems {
    /// The items of `messages`, in order, each with a new id.
    package static func items(_ messages: [JSONValue], makeID: ResponsesIDMaker) throws(GatewayError) -> [JSONValue] {
        var items: [JSONValue] = []
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            guard let role = message["role"]?.string else { throw .badRequest("\(param).role is required.", param: "\(param).role") }
            switch role {
            case "user", "system", "developer":
                items.append(["type": "message", "id": .string(makeID("msg")), "role": .string(role), "content": .array(inputParts(message["content"]))])
            case "assistant":
                let text = ResponsesRequestToChat.text(of: message["content"])
                if !text.isEmpty { items.append(ChatToResponse.messageItem(id: makeID("msg"), text: text, status: "completed")) }
                for call in message["tool_calls"]?.array ?? [] {
                    items.append(
                        ChatToResponse.functionCallItem(
                            id: makeID("fc"), callID: call["id"]?.string ?? makeID("call"), name: call["function"]?["name"]?.string ?? "",
                            arguments: call["function"]?["arguments"]?.string ?? "", status: "completed"))
                }
            case "function":
                throw .badRequest("\(param): 'function' messages (legacy function calling) cannot be kept in a conversation; use tools.", param: "\(param).role")
            case "tool":
                let output = message["content"]?.string ?? ResponsesRequestToChat.text(of: message["content"])
                items.append([
                    "type": "function_call_output", "id": .string(makeID("fco")), "call_id": message["tool_call_id"] ?? .string(""),
                    "output": .string(output), "status": "completed",
                ])
            default:
                throw .badRequest("\(param).role '\(role)' is not supported.", param: "\(param).role")
            }
        }
        return items
    }

    /// Chat content as input parts: text as `input_text`, `image_url` parts as `input_image`.
    static func inputParts(_ content: JSONValue?) -> [JSONValue] {
        if let text = content?.string { return [["type": "input_text", "text": .string(text)]] }
        return (content?.array ?? []).compactMap { part -> JSONValue? in
            switch part["type"]?.string {
            case "text"?:
                return ["type": "input_text", "text": part["text"] ?? ""]
            case "image_url"?:
                var image: [String: JSONValue] = ["type": "input_image", "image_url": part["image_url"]?["url"] ?? part["image_url"] ?? ""]
                if let detail = part["image_url"]?["detail"], !detail.isNull { image["detail"] = detail }
                return .object(image)
            default:
                return nil
            }
        }
    }
}
