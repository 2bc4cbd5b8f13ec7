import Foundation

/// Real-shaped Anthropic Messages API answers for upstream doubles.
package enum AnthropicWireSamples {
    /// A message answering `model` with `text`, optionally followed by a tool call.
    package static func message(model: String, text: String = "Hello!", toolUse: (id: String, name: String, input: String)? = nil) -> String {
        var content = [#"{"type":"text","text":"\#(text)"}"#]
        if let toolUse {
            content.append(#"{"type":"tool_use","id":"\#(toolUse.id)","name":"\#(toolUse.name)","input":\#(toolUse.input)}"#)
        }
        return """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"\(model)",\
            "content":[\(content.joined(separator: ","))],"stop_reason":"\(toolUse == nil ? "end_turn" : "tool_use")",\
            "stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":6}}
            """
    }

    /// The events of a streamed answer: text pieces, then optionally one tool call whose input arrives in fragments.
    package static func streamEvents(model: String, pieces: [String], toolUse: (id: String, name: String, fragments: [String])? = nil) -> [String] {
        var events = [
            #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"\#(model)","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#,
            #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            #"event: ping\#ndata: {"type": "ping"}"#,
        ]
        for piece in pieces {
            events.append(#"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(piece)"}}"#)
        }
        events.append(#"event: content_block_stop\#ndata: {"type":"content_block_stop","index":0}"#)
        if let toolUse {
            events.append(
                #"event: content_block_start\#ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"\#(toolUse.id)","name":"\#(toolUse.name)","input":{}}}"#)
            for fragment in toolUse.fragments {
                let escaped = fragment.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                events.append(
                    #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\#(escaped)"}}"#)
            }
            events.append(#"event: content_block_stop\#ndata: {"type":"content_block_stop","index":1}"#)
        }
        let stop = toolUse == nil ? "end_turn" : "tool_use"
        events.append(#"event: message_delta\#ndata: {"type":"message_delta","delta":{"stop_reason":"\#(stop)","stop_sequence":null},"usage":{"output_tokens":15}}"#)
        events.append(#"event: message_stop\#ndata: {"type":"message_stop"}"#)
        return events
    }

    /// An Anthropic error body.
    package static func error(type: String, message: String) -> String {
        #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"#
    }
}
