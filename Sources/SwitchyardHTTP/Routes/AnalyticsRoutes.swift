import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The admin analytics, one endpoint per chart (master key or a UI session): `overview`, the series `requests`,
/// `latency`, `tokens`, `spend` and `cache`, the rankings `top`, and `budgets`. Every one takes `range` (hour, day,
/// week, month; default hour) and the filters `model`, `target`, `key_id`, `team_id`; series take `by` (model,
/// target, key, team) for one series per group.
struct AnalyticsRoutes {
    let analytics: AnalyticsService
    let administration: KeyAdministration

    func register(on router: Router<GatewayRequestContext>) {
        let admin = router.group("/admin/analytics").add(middleware: MasterKeyRequirement())
        let analytics = analytics
        let administration = administration
        admin.get("/overview") { request, _ in
            let query = request.uri.queryParameters
            return AdminJSON.response(try await analytics.overview(try Self.range(query), filter: Self.filter(query)))
        }
        for chart in AnalyticsService.Chart.allCases {
            admin.get(RouterPath(chart.rawValue)) { request, _ in
                let query = request.uri.queryParameters
                let series = try await analytics.series(
                    chart, range: try Self.range(query), by: try Self.dimension(query, required: false), filter: Self.filter(query))
                return AdminJSON.response(series)
            }
        }
        admin.get("/top") { request, _ in
            let query = request.uri.queryParameters
            guard let by = try Self.dimension(query, required: true) else { throw GatewayError.badRequest("'by' is required.", param: "by") }
            let names = try await Self.names(by, administration: administration)
            let rows = try await analytics.top(try Self.range(query), by: by, filter: Self.filter(query))
            return AdminJSON.list(
                rows.map { row in
                    [
                        "group": .string(row.group), "name": names[row.group].map(JSONValue.string) ?? .null,
                        "requests": .integer(Int64(row.stats.requests)), "errors": .integer(Int64(row.stats.errors)),
                        "tokens": .integer(Int64(row.stats.promptTokens + row.stats.completionTokens)), "cost_usd": .number(row.stats.costUSD),
                    ]
                })
        }
        admin.get("/budgets") { _, _ in
            var rows: [JSONValue] = []
            for key in try await administration.keys() {
                guard let budget = key.limits.maxBudgetUSD else { continue }
                rows.append(Self.budget("key", id: key.id, name: key.name, spent: administration.spent(by: key), limits: key.limits, budget: budget))
            }
            for team in try await administration.teams() {
                guard let budget = team.limits.maxBudgetUSD else { continue }
                rows.append(Self.budget("team", id: team.id, name: team.name, spent: administration.spent(by: team), limits: team.limits, budget: budget))
            }
            return AdminJSON.list(rows)
        }
    }

    static func budget(_ scope: String, id: String, name: String, spent: Double, limits: UsageLimits, budget: Double) -> JSONValue {
        [
            "scope": .string(scope), "id": .string(id), "name": .string(name), "spend_usd": .number(spent), "max_budget_usd": .number(budget),
            "budget_period": limits.budgetPeriod.map { .string($0.rawValue) } ?? .null, "fraction": budget > 0 ? .number(spent / budget) : .null,
        ]
    }

    /// Key and team names by id, for rankings by key or team.
    static func names(_ by: AnalyticsQuery.Dimension, administration: KeyAdministration) async throws -> [String: String] {
        switch by {
        case .key: Dictionary(try await administration.keys().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        case .team: Dictionary(try await administration.teams().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        case .model, .target: [:]
        }
    }

    static func range(_ query: Parameters) throws(GatewayError) -> AnalyticsService.Range {
        guard let text = query.get("range") else { return .hour }
        guard let range = AnalyticsService.Range(rawValue: text) else {
            throw .badRequest("'range' must be hour, day, week or month.", param: "range")
        }
        return range
    }

    static func dimension(_ query: Parameters, required: Bool) throws(GatewayError) -> AnalyticsQuery.Dimension? {
        guard let text = query.get("by") else { return nil }
        guard let dimension = AnalyticsQuery.Dimension(rawValue: text) else {
            throw .badRequest("'by' must be model, target, key or team.", param: "by")
        }
        return dimension
    }

    static func filter(_ query: Parameters) -> AnalyticsService.Filter {
        AnalyticsService.Filter(model: query.get("model"), target: query.get("target"), keyID: query.get("key_id"), teamID: query.get("team_id"))
    }
}
