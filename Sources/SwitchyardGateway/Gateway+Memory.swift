import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardWire

/// Long-term memory in the pipeline: a request to a model with `memory:` that names its user (`user`, or
/// `safety_identifier`) gets the user's most relevant facts as one system message; its finished turn is queued
/// for extraction.
extension Gateway {
    /// Who a request's memories belong to, and what recalling them did.
    struct MemoryRecall: Sendable {
        let scope: String
        let user: String
        let settings: MemorySettings
        /// The user's newest message, for extraction.
        let userText: String
        /// How many memories went into the request.
        var recalled: Int
    }

    /// The request with the user's memories in it, and what was recalled; the request as it is, and nil, when the
    /// model keeps no memory or the request names no user.
    func recallMemories(_ request: ChatRequest, caller: Caller?, context: UpstreamContext) async throws -> (ChatRequest, MemoryRecall?) {
        guard let memory, let settings = catalog.entry(request.model)?.route.memory, settings.enabled, request.hubError == nil,
            case .object(var fields)? = try? JSONValue(decoding: request.body), let messages = fields["messages"]?.array,
            let user = fields["user"]?.string ?? fields["safety_identifier"]?.string, !user.isEmpty,
            user.utf8.count <= LongTermMemory.maximumUserBytes, user.isStorableName
        else { return (request, nil) }
        // Before any work on the caller's behalf: a key that may not use the model learns nothing.
        try caller?.authorize(model: request.model)
        // Memory learns from turns the user just spoke in (not a tool loop's later rounds), cut to what models take.
        let newest = messages.last { $0["role"]?.string != "system" && $0["role"]?.string != "developer" }
        let userText = newest?["role"]?.string == "user" ? String(Self.transcriptLine(newest ?? [:]).prefix(LongTermMemory.maximumTextCharacters)) : ""
        var recall = MemoryRecall(scope: caller.tenantScope, user: user, settings: settings, userText: userText, recalled: 0)
        defer { context.journal?.update { $0.memory = "recalled=\(recall.recalled)" } }
        let known: [Memory]
        do {
            known = try await memory.store.memories(scope: recall.scope, user: user)
        } catch {
            context.logger.warning("could not read memories", metadata: ["error": "\(error)"])
            return (request, recall)
        }
        guard !known.isEmpty else { return (request, recall) }
        let chosen: [Memory]
        if known.count <= settings.topK {
            chosen = known
        } else {
            guard !userText.isEmpty,
                let query = try? await embeddings(of: [userText], model: settings.embeddingModel, caller: caller?.onGatewaysBehalf, context: context)
                .first.flatMap(SemanticIndex.unit)
            else { return (request, recall) }
            let scored = known.map { memory -> (Memory, Float) in
                guard let unit = SemanticIndex.unit(memory.vector), unit.count == query.count else { return (memory, -2) }
                return (memory, SemanticIndex.dot(query, unit))
            }
            // The most similar, then in the order they were learned.
            let top = Set(scored.sorted { $0.1 > $1.1 }.prefix(settings.topK).map(\.0.id))
            chosen = known.filter { top.contains($0.id) }
        }
        let text = "What you know about this user from earlier conversations:\n" + chosen.map { "- " + PlaceholderLiteral.unnumbered($0.text) }.joined(separator: "\n")
        let leading = messages.prefix { ["system", "developer"].contains($0["role"]?.string ?? "") }.count
        var recalledMessages = messages
        recalledMessages.insert(["role": "system", "content": .string(text)], at: leading)
        fields["messages"] = .array(recalledMessages)
        var rewritten = request
        rewritten.body = JSONValue.object(fields).encoded
        rewritten.native = Self.fitted(request.native, to: .object(fields))
        recall.recalled = chosen.count
        return (rewritten, recall)
    }

    /// The text of an answer: a hub completion's, or an Anthropic message's.
    static func answerText(of answer: JSONValue) -> String {
        answer["choices"]?.array?.first?["message"]?["content"]?.string ?? (answer["content"]?.array ?? []).compactMap { $0["text"]?.string }.joined()
    }

    /// Queues a finished turn, with the answer's text, for extraction.
    func remember(_ recall: MemoryRecall, answerText text: String, caller: Caller?, context: UpstreamContext) {
        guard let memory, !recall.userText.isEmpty else { return }
        var detached = Self.ownContext(context)
        detached.deadline = nil
        memory.enqueue(
            LongTermMemory.Extraction(
                scope: recall.scope, user: recall.user, settings: recall.settings, caller: caller,
                transcript: recall.userText + "\nassistant: " + String(text.prefix(LongTermMemory.maximumTextCharacters)), enqueuedAt: Date(),
                context: detached))
    }
}
