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
        settlement.firstTokenRelayed()
        settlement.relayed(tokens: 100)
        settlement.relayed(tokens: 200)
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
            settlement.relayed(tokens: 18)
            // Anthropic's message_start reports the prompt and one output token.
            settlement.reported(TokenCounts(prompt: 40, completion: 1, cached: 0), replacing: false)
        }
        await recorder?.flush()
        let records = store.records.withLock { $0 }
        #expect(records.map(\.status) == [499])
        #expect(records.first?.promptTokens == 40, "the prompt the upstream reported beats the estimate")
        #expect(records.first?.completionTokens == 18, "the larger of the reported and the relayed output")
    }

    @Test("a completed stream is charged what the upstream reported")
    func completed() async {
        let store = MemoryUsageStore()
        let (settlement, recorder) = Self.settlement(into: store)
        settlement.relayed(tokens: 1000)
        settlement.reported(TokenCounts(prompt: 19, completion: 10, cached: 0), replacing: true)
        settlement.finish(.completed)
        await recorder.flush()
        let records = store.records.withLock { $0 }
        #expect(records.map(\.status) == [200])
        #expect(records.first?.promptTokens == 19 && records.first?.completionTokens == 10)
    }

    @Test("the relayed estimate counts about a token per ordinary chunk, and four bytes a token beyond the framing")
    func estimate() {
        var estimate = RelayedTokenEstimate()
        let chunk = { (content: String) in
            #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"\#(content)"},"logprobs":null,"finish_reason":null}]}"#.utf8.count
        }
        var total = estimate.tokens(inEventOf: chunk(""))
        for word in ["Hello", " there", ",", " how", " are", " you", "?"] { total += estimate.tokens(inEventOf: chunk(word)) }
        #expect(total == 8, "one for the role chunk and one per word")
        #expect(estimate.tokens(inEventOf: chunk(String(repeating: "x", count: 400))) == 100)
    }
}
