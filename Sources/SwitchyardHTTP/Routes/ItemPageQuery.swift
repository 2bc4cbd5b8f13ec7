import Hummingbird
import SwitchyardCore

/// The paging of an item list, as OpenAI's list endpoints take it: `limit` 1–100 (default 20), `order` `desc`
/// (default) or `asc`, `after` an item id.
struct ItemPageQuery {
    let limit: Int
    let after: String?
    let ascending: Bool

    init(_ query: Parameters) throws(GatewayError) {
        limit = try QueryInteger.read("limit", in: query, range: 1...100) ?? 20
        let order = query.get("order") ?? "desc"
        guard order == "asc" || order == "desc" else { throw .badRequest("'order' must be asc or desc.", param: "order") }
        ascending = order == "asc"
        after = query.get("after")
    }
}
