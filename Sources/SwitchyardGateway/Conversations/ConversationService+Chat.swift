import Foundation
import NIOCore
package import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire

/// Chat completions in a conversation (`x-switchyard-conversation`): the stored history goes before the messages
/// the client sends, and the new messages with the answer are appended before the answer's last byte.
extension ConversationService {
    /// A chat request in a conversation, ready for the pipeline.
    package struct ChatTurn: Sendable {
        /// The request with the conversation's history in place.
        package let request: ChatRequest
        package let conversation: StoredConversation
        /// The client's new messages as items, appended with the answer.
        package let newItems: [JSONValue]
    }

    /// The request with conversation `id`'s history: the client's leading system and developer messages first
    /// (instructions, not kept), then the stored items, then the client's other messages.
    /// - Throws: 404 for an unknown or foreign conversation, before anything reaches an upstream.
    package func chatTurn(_ id: String, request: ChatRequest, caller: Caller?) async throws -> ChatTurn {
        let conversation = try await conversation(id, caller: caller)
        guard case .object(var fields)? = try? JSONValue(decoding: request.body), let messages = fields["messages"]?.array else {
            throw GatewayError.badRequest("'messages' is required: a list of messages.", param: "messages")
        }
        let instructions = messages.prefix { ["system", "developer"].contains($0["role"]?.string ?? "") }
        let new = Array(messages.dropFirst(instructions.count))
        let history = ResponsesRequestToChat.messages(from: try await history(of: conversation))
        fields["messages"] = .array(Array(instructions) + history + new)
        let body = JSONValue.object(fields).encoded
        return ChatTurn(
            request: ChatRequest(body: body, model: request.model, stream: request.stream), conversation: conversation,
            newItems: try ChatMessagesToItems.items(new, makeID: makeID))
    }

    /// Appends the turn with the answer `completion` (a `chat.completion`).
    package func record(_ turn: ChatTurn, completion: JSONValue) async throws {
        do {
            try await append(turn.newItems + ChatToResponse.outputItems(of: completion, makeID: makeID), to: turn.conversation)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError(
                status: 500, kind: .api, code: "conversation_not_saved",
                message: "The answer could not be added to conversation '\(turn.conversation.id)': \(error)")
        }
    }

    /// `stream` with the turn recorded when its `[DONE]` arrives, before `[DONE]` is passed on. A stream that
    /// fails, is cut or abandoned records nothing; one whose turn cannot be recorded ends with that error.
    package func recording(_ turn: ChatTurn, stream: ChatEventStream) -> ChatEventStream {
        ChatEventStream { [self] in
            ObservingEventSource(
                base: stream.makeAsyncIterator(),
                observer: AnswerObserver(requiresUsage: false, requiresAnswer: true) { completion in try await record(turn, completion: completion) })
        }
    }
}
