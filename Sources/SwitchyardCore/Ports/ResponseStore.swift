public import Foundation
public import SwitchyardWire

/// A Responses API response as the gateway keeps it: the response object, the request that made it, the input
/// items of its turn, and where it sits in its conversation.
public struct StoredResponse: Sendable, Equatable {
    public var id: String
    /// Whose it is: `team:<id>`, `key:<id>` (a key without a team) or `master`. Only callers of the same scope
    /// may read, continue, cancel or delete it.
    public var scope: String
    public var model: String
    public var status: String
    public var previousResponseID: String?
    /// How many responses precede it in its chain.
    public var depth: Int
    public var background: Bool
    /// The request's settings, `input` left out.
    public var request: JSONValue
    /// The input items of this turn.
    public var inputItems: [JSONValue]
    /// The response object as last saved.
    public var response: JSONValue
    public var createdAt: Date
    /// Until when the replica working on it vouches for it, for a response still queued or in progress; it renews
    /// the lease while it works, and a lease that ends marks the response failed (the replica stopped).
    public var leaseExpiresAt: Date?

    public init(
        id: String, scope: String, model: String, status: String, previousResponseID: String?, depth: Int, background: Bool, request: JSONValue,
        inputItems: [JSONValue], response: JSONValue, createdAt: Date, leaseExpiresAt: Date? = nil
    ) {
        self.leaseExpiresAt = leaseExpiresAt
        self.id = id
        self.scope = scope
        self.model = model
        self.status = status
        self.previousResponseID = previousResponseID
        self.depth = depth
        self.background = background
        self.request = request
        self.inputItems = inputItems
        self.response = response
        self.createdAt = createdAt
    }
}

/// Where responses are kept, shared by every replica.
public protocol ResponseStore: Sendable {
    func insertResponse(_ response: StoredResponse) async throws
    /// Saves a new status and response object; with `onlyFrom`, only while the stored status is one of those
    /// (so a response cancelled elsewhere stays cancelled). Returns whether a row changed.
    @discardableResult
    func updateResponse(id: String, status: String, response: JSONValue, onlyFrom: [String]?) async throws -> Bool
    /// The response `id` if it belongs to `scope`; any tenant's when `scope` is nil (the master key's reads).
    func response(id: String, scope: String?) async throws -> StoredResponse?
    /// Deletes the response `id` of `scope` (of any tenant when nil); returns whether there was one.
    func deleteResponse(id: String, scope: String?) async throws -> Bool
    /// Deletes responses created before `cutoff`; returns how many.
    @discardableResult
    func pruneResponses(before cutoff: Date) async throws -> Int
    /// Extends to `until` the leases of those of `ids` still queued or in progress; returns those ids.
    func renewResponseLeases(ids: [String], until: Date) async throws -> Set<String>
    /// Up to `limit` responses still queued or in progress whose lease ended before `now`.
    func responsesWithEndedLeases(now: Date, limit: Int) async throws -> [(id: String, response: JSONValue)]
    /// Saves `response` as failed, if the response is still queued or in progress with its lease ended before
    /// `now` (no replica renewed it meanwhile). Returns whether it did.
    func failResponse(id: String, response: JSONValue, leaseEndedBefore now: Date) async throws -> Bool
}

/// A request already seen under an idempotency key.
public struct IdempotencyRecord: Sendable, Equatable {
    /// A digest of the request the key was first used with.
    public var fingerprint: String
    /// The answer, once there is one; nil while the first request is still running.
    public var status: Int?
    public var contentType: String?
    public var body: String?

    public init(fingerprint: String, status: Int?, contentType: String?, body: String?) {
        self.fingerprint = fingerprint
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// Remembers the answers to requests sent with an `Idempotency-Key`.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` in `scope` for a request with `fingerprint`. Returns nil when the claim is new, else the record
    /// already there. An answered claim older than `expiredBefore`, or an unanswered one older than
    /// `pendingExpiredBefore`, is replaced.
    func claimIdempotencyKey(
        scope: String, key: String, fingerprint: String, now: Date, expiredBefore: Date, pendingExpiredBefore: Date
    ) async throws -> IdempotencyRecord?
    /// Deletes answers older than `cutoff`; returns how many.
    @discardableResult
    func pruneIdempotencyKeys(before cutoff: Date) async throws -> Int
    /// Keeps the answer for the claimed key.
    func completeIdempotencyKey(scope: String, key: String, status: Int, contentType: String, body: String) async throws
    /// Gives the key up (the request failed in a way worth retrying, or its answer cannot be kept).
    func releaseIdempotencyKey(scope: String, key: String) async throws
}
