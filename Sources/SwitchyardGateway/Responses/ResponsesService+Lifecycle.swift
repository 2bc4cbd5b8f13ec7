import Foundation
package import NIOCore
package import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire

/// Stored responses: retrieval, replay, cancellation, deletion and their input items.
extension ResponsesService {
    /// The stored response `id` of the caller's scope.
    package func retrieve(_ id: String, caller: Caller?) async throws -> StoredResponse {
        guard let stored = try await store.response(id: id, scope: caller.tenantReadScope) else { throw Self.notFound(id) }
        return stored
    }

    /// The events of response `id`: live while it runs on this replica, else (once finished) replayed.
    package func replay(_ id: String, caller: Caller?) async throws -> ResponseEvents {
        let stored = try await retrieve(id, caller: caller)
        if let log = background.events(of: id) { return .logged(log.read()) }
        // Finished, or running on another replica: its opening events now, the rest once it is done.
        let store = self.store
        let scope = caller.tenantReadScope
        var replay = PolledReplay(initial: stored) { try await store.response(id: id, scope: scope) }
        if !PolledReplay.AsyncIterator.isTerminal(stored) { replay.slot = try pollers.reserve(scope: Self.scope(of: caller)) }
        return .polled(replay)
    }

    /// Cancels a background response; a finished one is returned as it is.
    package func cancel(_ id: String, caller: Caller?) async throws -> JSONValue {
        let stored = try await retrieve(id, caller: caller)
        guard stored.background else {
            throw GatewayError.badRequest("Only background responses can be cancelled; response '\(id)' was not created with background.")
        }
        guard var response = ResponseObject(json: stored.response, request: stored.request), !response.isTerminal else { return stored.response }
        response.status = "cancelled"
        response.completedAt = Int(Date().timeIntervalSince1970)
        // Written before the work is stopped, so nothing the stopping work saves can overwrite it.
        _ = try await store.updateResponse(id: id, status: "cancelled", response: response.json, onlyFrom: ["queued", "in_progress"])
        background.cancel(id: id)
        return try await retrieve(id, caller: caller).response
    }

    package func delete(_ id: String, caller: Caller?) async throws -> JSONValue {
        guard try await store.deleteResponse(id: id, scope: caller.tenantReadScope) else { throw Self.notFound(id) }
        background.cancel(id: id)
        return ["id": .string(id), "object": "response", "deleted": true]
    }

    /// A page of the input items of response `id`: `order` asc or desc (default), `after` an item id, `limit` 1–100.
    package func inputItems(_ id: String, caller: Caller?, after: String?, limit: Int, ascending: Bool) async throws -> JSONValue {
        let stored = try await retrieve(id, caller: caller)
        var items = stored.inputItems
        if !ascending { items.reverse() }
        if let after {
            guard let position = items.firstIndex(where: { $0["id"]?.string == after }) else {
                throw GatewayError.badRequest("'after' names no input item of response '\(id)'.", param: "after")
            }
            items = Array(items[(position + 1)...])
        }
        let page = Array(items.prefix(limit))
        return ListPage.json(page, hasMore: items.count > limit)
    }

    /// The input tokens a request would take, as its model's first target counts them.
    package func inputTokens(_ body: ByteBuffer, caller: Caller?, context: UpstreamContext) async throws -> JSONValue {
        let turn = try await prepare(body, caller: caller, context: context, searching: false)
        let tokens = try await gateway.countTokens(try turn.chat(stream: false), caller: caller, context: context)
        return ["object": "response.input_tokens", "input_tokens": .integer(Int64(tokens))]
    }

    static func notFound(_ id: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "response_not_found", message: "No response '\(id)' was found.")
    }
}
