import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

extension ResponsesService {
    /// A request prepared for the pipeline.
    struct Turn: Sendable {
        var request: JSONValue
        var model: String
        var items: [JSONValue]
        var history: [JSONValue]
        var previous: StoredResponse?
        /// The conversation the turn is appended to, whose items are its history.
        var conversation: StoredConversation?
        var stream: Bool
        var background: Bool
        var store: Bool
        var truncate: Bool
        /// The hub request with the whole history, made (and so validated) once when the turn was read.
        var prepared: ChatRequest?
        /// The `file_search` the gateway ran for the turn.
        var fileSearch: FileSearch?

        /// The hub request, dropping the oldest `dropped` history items' turns.
        func chat(dropping dropped: Int = 0, stream: Bool) throws(GatewayError) -> ChatRequest {
            if dropped == 0, let prepared, prepared.stream == stream { return prepared }
            var hub = try ResponsesRequestToChat(servedTools: fileSearch == nil ? [] : ["file_search"])
                .translate(request, history: Array(history.dropFirst(dropped)), items: items)
            if let context = fileSearch?.contextMessage, case .object(var fields) = hub, let messages = fields["messages"]?.array {
                fields["messages"] = .array(KnowledgeBase.inserting(context, into: messages))
                hub = .object(fields)
            }
            if stream, case .object(var fields) = hub {
                fields["stream"] = true
                // The usage chunk is the response's own `usage`, so it is asked for, not left to the gateway to hide.
                fields["stream_options"] = ["include_usage": true]
                hub = .object(fields)
            }
            return ChatRequest(body: hub.encoded, model: model, stream: stream)
        }
    }
}
