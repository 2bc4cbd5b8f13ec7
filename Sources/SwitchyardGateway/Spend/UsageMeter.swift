import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Prices each finished request, adds its cost to its key's and team's spend, and queues its usage record.
package struct UsageMeter: Sendable {
    package let prices: PriceBook
    package let recorder: UsageRecorder
    package let spend: SpendLedger

    package init(prices: PriceBook = PriceBook(), recorder: UsageRecorder, spend: SpendLedger) {
        self.prices = prices
        self.recorder = recorder
        self.spend = spend
    }

    /// Settles one request: its spend, its usage record, and what its journal reports.
    func settle(
        context: UpstreamContext, caller: Caller?, model: String, target: Target?, tokens: TokenCounts, status: Int, started: ContinuousClock.Instant,
        timeToFirstToken: Duration? = nil, cached: Bool = false
    ) {
        let cost = target.map { prices.cost(of: $0, promptTokens: tokens.prompt, completionTokens: tokens.completion) } ?? 0
        var grant: KeyGrant?
        if case .virtualKey(let keyGrant)? = caller { grant = keyGrant }
        let keyID = grant?.key.id
        let teamID = grant?.team?.id
        let time = Date()
        spend.add(cost, tokens: tokens.total, grant: grant, at: time)
        let elapsed = ContinuousClock.now - started
        context.journal?.update { summary in
            summary.promptTokens = tokens.prompt
            summary.completionTokens = tokens.completion
            summary.cachedTokens = tokens.cached
            summary.costUSD = cost
            summary.timeToFirstToken = timeToFirstToken
        }
        var record = UsageRecord(
            requestID: context.requestID, keyID: keyID, teamID: teamID, model: model, target: target?.label, promptTokens: tokens.prompt,
            completionTokens: tokens.completion, cachedTokens: tokens.cached, costUSD: cost,
            latencyMilliseconds: Int(elapsed.wholeNanoseconds / 1_000_000), status: status, time: time)
        record.cached = cached
        if let summary = context.journal?.summary, let prompt = summary.prompt {
            record.prompt = prompt
            record.promptVersion = summary.promptVersion
        }
        recorder.record(record)
    }
}
