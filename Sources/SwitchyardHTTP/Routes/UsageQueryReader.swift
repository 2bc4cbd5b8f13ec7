import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// Reads `GET /admin/usage`'s query: `key_id`, `team_id`, `model`, `prompt`, `from`, `to` (ISO-8601 date or
/// date-time, UTC) and `group_by` (key, team, model, day or prompt).
enum UsageQueryReader {
    static func read(_ parameters: Parameters) throws(GatewayError) -> UsageQuery {
        let filter = try AdminFilter.read(parameters)
        var query = UsageQuery(keyID: filter.keyID, teamID: filter.teamID, model: filter.model, from: filter.from, to: filter.to)
        query.prompt = parameters.get("prompt")
        if let grouping = parameters.get("group_by") {
            guard let value = UsageQuery.Grouping(rawValue: grouping) else {
                throw .badRequest("'group_by' must be key, team, model, day or prompt.", param: "group_by")
            }
            query.groupBy = value
        }
        return query
    }

}
