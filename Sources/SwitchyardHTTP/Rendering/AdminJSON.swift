import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The admin API's JSON views: secrets never appear, digests neither.
enum AdminJSON {
    static func key(_ key: VirtualKey) -> [String: JSONValue] {
        var view = limits(key.limits)
        view["id"] = .string(key.id)
        view["name"] = .string(key.name)
        view["prefix"] = .string(key.prefix)
        view["team"] = key.teamID.map(JSONValue.string) ?? .null
        view["models"] = key.models.map { .array($0.map(JSONValue.string)) } ?? .null
        view["expires_at"] = key.expiresAt.map { .string($0.ISO8601Format()) } ?? .null
        view["metadata"] = .object(key.metadata.mapValues(JSONValue.string))
        view["guardrails"] = .array(key.guardrails.map(JSONValue.string))
        view["created_at"] = .string(key.createdAt.ISO8601Format())
        return view
    }

    /// A key's or team's view with what it has spent in its budget period.
    static func withSpend(_ view: [String: JSONValue], _ spent: Double) -> JSONValue {
        var view = view
        view["spend_usd"] = .number(spent)
        return .object(view)
    }

    static func team(_ team: Team) -> [String: JSONValue] {
        var view = limits(team.limits)
        view["id"] = .string(team.id)
        view["name"] = .string(team.name)
        view["models"] = team.models.map { .array($0.map(JSONValue.string)) } ?? .null
        view["guardrails"] = .array(team.guardrails.map(JSONValue.string))
        view["created_at"] = .string(team.createdAt.ISO8601Format())
        return view
    }

    /// A model's route: strategy, targets with their weights, fallbacks, guardrails, and which features are on.
    static func model(_ route: ModelRoute) -> JSONValue {
        [
            "name": .string(route.name), "strategy": .string(route.strategy.rawValue),
            "targets": .array(
                route.targets.map { ["provider": .string($0.provider), "model": .string($0.model), "weight": .number($0.weight)] }),
            "fallbacks": .array(route.fallbacks.map(JSONValue.string)), "guardrails": .array(route.guardrails.map(JSONValue.string)),
            "cache": .bool(route.cache.enabled), "context": route.context.map { .string($0.strategy.rawValue) } ?? .null,
            "memory": .bool(route.memory?.enabled ?? false),
        ]
    }

    static func limits(_ limits: UsageLimits) -> [String: JSONValue] {
        [
            "rpm": limits.rpm.map { .integer(Int64($0)) } ?? .null, "tpm": limits.tpm.map { .integer(Int64($0)) } ?? .null,
            "max_parallel": limits.maxParallel.map { .integer(Int64($0)) } ?? .null,
            "max_budget_usd": limits.maxBudgetUSD.map(JSONValue.number) ?? .null,
            "soft_budget_usd": limits.softBudgetUSD.map(JSONValue.number) ?? .null,
            "token_quota": limits.tokenQuota.map { .integer(Int64($0)) } ?? .null,
            "budget_period": limits.budgetPeriod.map { .string($0.rawValue) } ?? .null,
        ]
    }

    static func usage(_ totals: UsageTotals) -> JSONValue {
        var view: [String: JSONValue] = [
            "requests": .integer(Int64(totals.requests)), "prompt_tokens": .integer(Int64(totals.promptTokens)),
            "completion_tokens": .integer(Int64(totals.completionTokens)), "cached_tokens": .integer(Int64(totals.cachedTokens)),
            "total_tokens": .integer(Int64(totals.promptTokens + totals.completionTokens)), "cost_usd": .number(totals.costUSD),
        ]
        if let group = totals.group { view["group"] = .string(group) }
        return .object(view)
    }

    static func list(_ items: [JSONValue]) -> Response { response(["data": .array(items)]) }

    /// A page of the request log: `data`, `has_more`, and `next_cursor` to pass as `cursor` for the next page.
    static func logPage(_ rows: [RequestLogEntry], hasMore: Bool) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        struct Page: Encodable {
            var data: [RequestLogEntry]
            var hasMore: Bool
            var nextCursor: String?
            enum CodingKeys: String, CodingKey {
                case data
                case hasMore = "has_more"
                case nextCursor = "next_cursor"
            }
        }
        let page = Page(data: rows, hasMore: hasMore, nextCursor: hasMore ? rows.last?.id : nil)
        let body = (try? encoder.encode(page)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: value.encoded))
    }
}
