import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The filters the usage and log queries share: `key_id`, `team_id`, `model`, and a time range `from`/`to`
/// (ISO-8601 date or date-time, UTC).
struct AdminFilter {
    var keyID: String?
    var teamID: String?
    var model: String?
    var from: Date?
    var to: Date?

    static func read(_ parameters: Parameters) throws(GatewayError) -> AdminFilter {
        AdminFilter(
            keyID: parameters.get("key_id"), teamID: parameters.get("team_id"), model: parameters.get("model"),
            from: try date(parameters.get("from"), name: "from"), to: try date(parameters.get("to"), name: "to"))
    }

    private static func date(_ text: String?, name: String) throws(GatewayError) -> Date? {
        guard let text else { return nil }
        // Years 1 to 9999: what the stored timestamps can say.
        if let date = ISO8601Input.date(text), (-62_135_596_800...253_402_300_799).contains(date.timeIntervalSince1970) { return date }
        throw .badRequest("'\(name)' must be an ISO-8601 date or date-time between the years 1 and 9999.", param: name)
    }
}
