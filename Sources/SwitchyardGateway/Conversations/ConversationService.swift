import Foundation
package import NIOCore
package import SwitchyardCore
package import SwitchyardTranslation
package import SwitchyardWire

/// The OpenAI Conversations API: conversations and their items, kept by the gateway per tenant, which Responses
/// turns (`conversation`) and chat completions (`x-switchyard-conversation`) read as history and append to.
package struct ConversationService: Sendable {
    package let store: any ConversationStore
    let makeID: ResponsesIDMaker

    /// The most items one create or append request may carry.
    package static let maximumItemsPerRequest = 20
    /// The most items read as a conversation's history; older ones are left out.
    package static let maximumHistoryItems = 10_000

    package init(store: any ConversationStore, makeID: @escaping ResponsesIDMaker = ResponsesService.randomID) {
        self.store = store
        self.makeID = makeID
    }

    // MARK: Conversations

    package func create(_ body: ByteBuffer, caller: Caller?) async throws -> JSONValue {
        let fields = try Self.object(body)
        let metadata = try ConversationMetadata.read(fields["metadata"])
        let items = try normalizedItems(fields["items"], param: "items", required: false)
        let conversation = StoredConversation(
            id: makeID("conv"), scope: caller.tenantScope, metadata: metadata, createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await store.insertConversation(conversation, items: items)
        return Self.json(conversation)
    }

    package func retrieve(_ id: String, caller: Caller?) async throws -> JSONValue {
        Self.json(try await conversation(id, caller: caller))
    }

    /// Replaces the metadata.
    package func update(_ id: String, body: ByteBuffer, caller: Caller?) async throws -> JSONValue {
        let fields = try Self.object(body)
        guard fields["metadata"] != nil else { throw GatewayError.badRequest("'metadata' is required.", param: "metadata") }
        let metadata = try ConversationMetadata.read(fields["metadata"])
        guard id.isStorableName, let updated = try await store.updateConversation(id: id, scope: caller.tenantReadScope, metadata: metadata) else {
            throw GatewayError.conversationNotFound(id)
        }
        return Self.json(updated)
    }

    package func delete(_ id: String, caller: Caller?) async throws -> JSONValue {
        guard id.isStorableName, try await store.deleteConversation(id: id, scope: caller.tenantReadScope) else {
            throw GatewayError.conversationNotFound(id)
        }
        return ["id": .string(id), "object": "conversation.deleted", "deleted": true]
    }

    // MARK: Items

    /// Appends the request's `items`; answers them as a list.
    package func addItems(_ id: String, body: ByteBuffer, caller: Caller?) async throws -> JSONValue {
        let fields = try Self.object(body)
        _ = try await conversation(id, caller: caller)
        let items = try normalizedItems(fields["items"], param: "items", required: true)
        let added = try await store.appendConversationItems(conversationID: id, items: items, now: Date())
        return ListPage.json(added.map(\.item), hasMore: false)
    }

    /// A page of items: `order` asc or desc, `after` an item id, `limit` 1–100.
    package func items(_ id: String, caller: Caller?, after: String?, limit: Int, ascending: Bool) async throws -> JSONValue {
        _ = try await conversation(id, caller: caller)
        var position: Int?
        if let after {
            guard after.isStorableName, let item = try await store.conversationItem(conversationID: id, itemID: after) else {
                throw GatewayError.badRequest("'after' names no item of conversation '\(id)'.", param: "after")
            }
            position = item.position
        }
        // One more than asked: whether there are more.
        let page = try await store.conversationItems(conversationID: id, afterPosition: position, limit: limit + 1, ascending: ascending)
        return ListPage.json(page.prefix(limit).map(\.item), hasMore: page.count > limit)
    }

    package func item(_ id: String, itemID: String, caller: Caller?) async throws -> JSONValue {
        _ = try await conversation(id, caller: caller)
        guard itemID.isStorableName, let item = try await store.conversationItem(conversationID: id, itemID: itemID) else {
            throw Self.itemNotFound(itemID, in: id)
        }
        return item.item
    }

    /// Deletes one item; answers the conversation.
    package func deleteItem(_ id: String, itemID: String, caller: Caller?) async throws -> JSONValue {
        let conversation = try await conversation(id, caller: caller)
        guard itemID.isStorableName, try await store.deleteConversationItem(conversationID: id, itemID: itemID) else {
            throw Self.itemNotFound(itemID, in: id)
        }
        return Self.json(conversation)
    }

    // MARK: History

    /// The conversation `id` of the caller's tenant, else 404 (another tenant's too).
    package func conversation(_ id: String, caller: Caller?, param: String? = nil) async throws -> StoredConversation {
        guard id.isStorableName, let conversation = try await store.conversation(id: id, scope: caller.tenantReadScope) else {
            throw GatewayError.conversationNotFound(id, param: param)
        }
        return conversation
    }

    /// Every item of a conversation, oldest first (the newest ``maximumHistoryItems``).
    package func history(of conversation: StoredConversation) async throws -> [JSONValue] {
        try await store.conversationItems(conversationID: conversation.id, afterPosition: nil, limit: Self.maximumHistoryItems, ascending: false)
            .reversed().map(\.item)
    }

    /// Appends a finished turn's items.
    package func append(_ items: [JSONValue], to conversation: StoredConversation) async throws {
        _ = try await store.appendConversationItems(conversationID: conversation.id, items: items, now: Date())
    }

    // MARK: Shapes

    /// Input items as the Responses API reads them, each with an id.
    func normalizedItems(_ value: JSONValue?, param: String, required: Bool) throws(GatewayError) -> [JSONValue] {
        guard let value, !value.isNull else {
            if required { throw .badRequest("'\(param)' is required: a list of items.", param: param) }
            return []
        }
        guard let items = value.array else { throw .badRequest("'\(param)' must be a list of items.", param: param) }
        if required && items.isEmpty { throw .badRequest("'\(param)' must hold at least one item.", param: param) }
        guard items.count <= Self.maximumItemsPerRequest else {
            throw .badRequest("'\(param)' holds \(items.count) items; at most \(Self.maximumItemsPerRequest) may be added at once.", param: param)
        }
        var normalized: [JSONValue] = []
        var ids: Set<String> = []
        for (index, item) in items.enumerated() {
            let item = try ResponsesRequestToChat.normalize(item, param: "\(param)[\(index)]", makeID: makeID)
            if let id = item["id"]?.string, !ids.insert(id).inserted {
                throw .badRequest("\(param)[\(index)].id '\(id)' is given to an earlier item too.", param: "\(param)[\(index)].id")
            }
            normalized.append(item)
        }
        return normalized
    }

    static func object(_ body: ByteBuffer) throws(GatewayError) -> [String: JSONValue] {
        if body.readableBytes == 0 { return [:] }
        guard case .object(let fields)? = try? JSONValue(decoding: body) else {
            throw .badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        return fields
    }

    static func json(_ conversation: StoredConversation) -> JSONValue {
        [
            "id": .string(conversation.id), "object": "conversation", "created_at": .integer(Int64(conversation.createdAt.timeIntervalSince1970)),
            "metadata": .object(conversation.metadata.mapValues(JSONValue.string)),
        ]
    }

    static func itemNotFound(_ itemID: String, in id: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "item_not_found", message: "No item '\(itemID)' was found in conversation '\(id)'.")
    }
}
