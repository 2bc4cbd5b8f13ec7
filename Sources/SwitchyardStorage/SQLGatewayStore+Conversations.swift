package import Foundation
import NIOCore
import SQLKit
package import SwitchyardCore
package import SwitchyardWire

extension SQLGatewayStore {
    package func insertConversation(_ conversation: StoredConversation, items: [JSONValue]) async throws {
        try await database.insert(into: "conversations")
            .columns("id", "scope", "metadata", "next_position", "created_at")
            .values(
                SQLBind(conversation.id), SQLBind(conversation.scope), SQLBind(Self.metadataText(conversation.metadata)), SQLBind(0),
                SQLBind(Self.timestamp(conversation.createdAt)))
            .run()
        if !items.isEmpty { _ = try await appendConversationItems(conversationID: conversation.id, items: items, now: conversation.createdAt) }
    }

    package func conversation(id: String, scope: String?) async throws -> StoredConversation? {
        var select = database.select().columns("id", "scope", "metadata", "created_at").from("conversations").where("id", .equal, id)
        if let scope { select = select.where("scope", .equal, scope) }
        return try await select.first().map(Self.conversation(from:))
    }

    package func updateConversation(id: String, scope: String?, metadata: [String: String]) async throws -> StoredConversation? {
        var update = database.update("conversations").set("metadata", to: Self.metadataText(metadata)).where("id", .equal, id)
        if let scope { update = update.where("scope", .equal, scope) }
        return try await update.returning("id", "scope", "metadata", "created_at").first().map(Self.conversation(from:))
    }

    package func deleteConversation(id: String, scope: String?) async throws -> Bool {
        var delete = database.delete(from: "conversations").where("id", .equal, id)
        if let scope { delete = delete.where("scope", .equal, scope) }
        guard try await !delete.returning("id").all().isEmpty else { return false }
        try await database.delete(from: "conversation_items").where("conversation_id", .equal, id).run()
        return true
    }

    /// Reserves the places with one update of the conversation's next place, then inserts the items in one
    /// statement: concurrent appends get places that never overlap.
    ///
    /// - Throws: 404 when the conversation is gone; 400 when an item's id is already in the conversation.
    package func appendConversationItems(conversationID: String, items: [JSONValue], now: Date) async throws -> [ConversationItem] {
        guard !items.isEmpty else { return [] }
        guard
            let end = try await database.update("conversations")
                .set("next_position", to: SQLRaw("next_position + \(items.count)"))
                .where("id", .equal, conversationID)
                .returning("next_position").first(decodingColumn: "next_position", as: Int.self)
        else { throw GatewayError.conversationNotFound(conversationID) }
        let start = end - items.count
        let stored = items.enumerated().map { offset, item in
            ConversationItem(id: item["id"]?.string ?? "item_\(start + offset)", position: start + offset, item: item, createdAt: now)
        }
        var insert = database.insert(into: "conversation_items").columns("conversation_id", "position", "id", "item", "created_at")
        for item in stored {
            insert = insert.values(
                SQLBind(conversationID), SQLBind(item.position), SQLBind(item.id), SQLBind(Self.text(item.item)),
                SQLBind(Self.timestamp(now)))
        }
        do {
            try await insert.run()
        } catch {
            guard Self.refusesRows(error) else { throw error }
            throw GatewayError.badRequest("An item's id is already in conversation '\(conversationID)'; send new items without ids, or with new ones.")
        }
        return stored
    }

    package func conversationItems(conversationID: String, afterPosition: Int?, limit: Int, ascending: Bool) async throws -> [ConversationItem] {
        var select = database.select().columns("id", "position", "item", "created_at").from("conversation_items")
            .where("conversation_id", .equal, conversationID)
        if let afterPosition { select = select.where("position", ascending ? .greaterThan : .lessThan, afterPosition) }
        return try await select.orderBy("position", ascending ? .ascending : .descending).limit(limit).all().map(Self.conversationItem(from:))
    }

    package func conversationItem(conversationID: String, itemID: String) async throws -> ConversationItem? {
        try await database.select().columns("id", "position", "item", "created_at").from("conversation_items")
            .where("conversation_id", .equal, conversationID).where("id", .equal, itemID)
            .first().map(Self.conversationItem(from:))
    }

    package func deleteConversationItem(conversationID: String, itemID: String) async throws -> Bool {
        try await !database.delete(from: "conversation_items").where("conversation_id", .equal, conversationID).where("id", .equal, itemID)
            .returning("id").all().isEmpty
    }

    // MARK: Rows

    private static func metadataText(_ metadata: [String: String]) -> String {
        text(.object(metadata.mapValues(JSONValue.string)))
    }

    private static func conversation(from row: any SQLRow) throws -> StoredConversation {
        let metadata = try JSONValue(decoding: try row.decode(column: "metadata", as: String.self)).object ?? [:]
        return StoredConversation(
            id: try row.decode(column: "id", as: String.self), scope: try row.decode(column: "scope", as: String.self),
            metadata: metadata.compactMapValues(\.string),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }

    private static func conversationItem(from row: any SQLRow) throws -> ConversationItem {
        ConversationItem(
            id: try row.decode(column: "id", as: String.self), position: try row.decode(column: "position", as: Int.self),
            item: try JSONValue(decoding: try row.decode(column: "item", as: String.self)),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }
}
