import Foundation
import Logging
import Synchronization
import SwitchyardCore
import Testing

@testable import SwitchyardGateway

@Suite("Stream settlement")
struct StreamSettlementTests {
    /// A settlement for a stream of about 250 prompt tokens, recording into `store`, with its writer.
    static func settlement(into store: MemoryUsageStore) -> (StreamSettlement, UsageRecorder) {
        let logger = Logger(label: "test")
        let recorder = UsageRecorder(store: store, logger: logger)
        let spend = SpendLedger(store: store, logger: logger)
        let target = Target(provider: "up", model: "m", price: Price(input: 1, output: 2))
        let monitor = TargetMonitor(target: target, breaker: CircuitBreakerPolicy())
        let lease = TargetLease(monitor: monitor, estimatedTokens: 250, startedAt: .now, isProbe: false)
        let context = UpstreamContext(requestID: "req", logger: logger, stopwatch: UpstreamStopwatch())
        let meter = UsageMeter(recorder: recorder, spend: spend)
        let settlement = Settlement(meter: meter, context: context, caller: nil, model: "chat", target: target, started: .now)
        return (StreamSettlement(lease: lease, permit: nil, settlement: settlement, estimatedPromptTokens: 250), recorder)
    }

    @Test("a stream its client abandons before the usage chunk is charged the estimate, as 499")
    func abandoned() async {
        let store = MemoryUsageStore()
        let (settlement, recorder) = Self.settlement(into: store)
        for _ in 0..<3 { settlement.relayed(bytes: 528) }
        settlement.finish(.abandoned)
        settlement.finish(.completed)
        await recorder.flush()
        let records = store.records.withLock { $0 }
        #expect(records.count == 1, "settled once")
        #expect(records.first?.status == 499)
        #expect(records.first?.promptTokens == 250)
        #expect(records.first?.completionTokens == 300)
        #expect(records.first.map { $0.costUSD > 0 } == true)
    }

    @Test("a stream dropped without being settled settles as abandoned when it is released")
    func dropped() async {
        let store = MemoryUsageStore()
        var recorder: UsageRecorder?
        do {
            let (settlement, writer) = Self.settlement(into: store)
            recorder = writer
            settlement.relayed(bytes: 200)
            settlement.reported(TokenCounts(prompt: 40, completion: 0, cached: 0), replacing: false)
        }
        await recorder?.flush()
        let records = store.records.withLock { $0 }
        #expect(records.map(\.status) == [499])
        #expect(records.first?.promptTokens == 40, "the prompt the upstream reported beats the estimate")
        #expect(records.first?.completionTokens == 18)
    }

    @Test("a completed stream is charged what the upstream reported")
    func completed() async {
        let store = MemoryUsageStore()
        let (settlement, recorder) = Self.settlement(into: store)
        settlement.relayed(bytes: 5000)
        settlement.reported(TokenCounts(prompt: 19, completion: 10, cached: 0), replacing: true)
        settlement.finish(.completed)
        await recorder.flush()
        let records = store.records.withLock { $0 }
        #expect(records.map(\.status) == [200])
        #expect(records.first?.promptTokens == 19 && records.first?.completionTokens == 10)
    }
}
