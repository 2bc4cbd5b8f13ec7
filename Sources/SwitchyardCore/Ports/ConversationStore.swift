public import Foundation
public import SwitchyardWire

/// A conversation as the gateway keeps it: its owner and metadata. Its items are kept apart, in order.
public struct StoredConversation: Sendable, Equatable {
    public var id: String
    /// Whose it is: `team:<id>`, `key:<id>` (a key without a team) or `master`.
    public var scope: String
    /// Up to 16 string pairs, as the client set them.
    public var metadata: [String: String]
    public var createdAt: Date

    public init(id: String, scope: String, metadata: [String: String], createdAt: Date) {
        self.id = id
        self.scope = scope
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// One item of a conversation, in the Responses item shape (a message, a function call or its output, a
/// reasoning item), at its place in the conversation.
public struct ConversationItem: Sendable, Equatable {
    /// The item's own id (`msg_…`, `fc_…`, …), unique within its conversation.
    public var id: String
    /// Its place: items are read in this order; a deleted item leaves a gap.
    public var position: Int
    public var item: JSONValue
    public var createdAt: Date

    public init(id: String, position: Int, item: JSONValue, createdAt: Date) {
        self.id = id
        self.position = position
        self.item = item
        self.createdAt = createdAt
    }
}

/// Where conversations are kept, shared by every replica. Reads take a scope: a conversation of another scope is
/// not found; a nil scope (the master key) reads any.
public protocol ConversationStore: Sendable {
    /// Stores a new conversation with its first items.
    func insertConversation(_ conversation: StoredConversation, items: [JSONValue]) async throws
    func conversation(id: String, scope: String?) async throws -> StoredConversation?
    /// Replaces the metadata; returns the conversation after, nil when there is none.
    func updateConversation(id: String, scope: String?, metadata: [String: String]) async throws -> StoredConversation?
    /// Deletes the conversation and its items; returns whether there was one.
    func deleteConversation(id: String, scope: String?) async throws -> Bool
    /// Appends items after the last one, in order, in one statement per batch (two replicas appending to one
    /// conversation never interleave a batch); returns them with their places.
    func appendConversationItems(conversationID: String, items: [JSONValue], now: Date) async throws -> [ConversationItem]
    /// Items in order (oldest first when `ascending`), after the item at `afterPosition` when it is given, at most
    /// `limit`.
    func conversationItems(conversationID: String, afterPosition: Int?, limit: Int, ascending: Bool) async throws -> [ConversationItem]
    func conversationItem(conversationID: String, itemID: String) async throws -> ConversationItem?
    /// Deletes one item; returns whether there was one.
    func deleteConversationItem(conversationID: String, itemID: String) async throws -> Bool
}
