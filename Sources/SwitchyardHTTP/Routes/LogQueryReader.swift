import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// Reads `GET /admin/logs`'s query: `key_id`, `team_id`, `model`, `status`, `request_id`, `from`, `to`,
/// `limit` (1 to 1000, default 100) and `cursor` (a page's `next_cursor`).
enum LogQueryReader {
    static func read(_ parameters: Parameters) throws(GatewayError) -> RequestLogQuery {
        let filter = try AdminFilter.read(parameters)
        var query = RequestLogQuery(keyID: filter.keyID, teamID: filter.teamID, model: filter.model, from: filter.from, to: filter.to)
        query.requestID = parameters.get("request_id")
        query.status = try QueryInteger.read("status", in: parameters, range: 100...599)
        if let limit = try QueryInteger.read("limit", in: parameters, range: 1...1000) { query.limit = limit }
        if let cursor = parameters.get("cursor") {
            guard RequestLogEntry.isID(cursor) else {
                throw .badRequest("'cursor' must be a 'next_cursor' from an earlier page.", param: "cursor")
            }
            query.cursor = cursor
        }
        return query
    }
}
