import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardTokenizer
import Testing

@testable import SwitchyardGateway

@Suite("Prompt tokens at admission")
struct AdmissionEstimateTests {
    static func caller(tpm: Int?) -> Caller {
        .virtualKey(LimitLedgerTests.grant(UsageLimits(rpm: 100, tpm: tpm)))
    }

    @Test("a caller under a tpm limit is admitted with the tokenizer's count of the body; others with the byte estimate")
    func tokenizerForTPM() throws {
        let text = #"{"model":"chat","messages":[{"role":"user","content":"日本語のテキストは一文字ずつ数えられる。"}]}"#
        let body = ByteBuffer(string: text)
        let exact = try #require(Tokenizer.cl100k).count(text)
        #expect(Gateway.estimatedTokens(body, for: Self.caller(tpm: 1000)) == exact)
        #expect(Gateway.estimatedTokens(body, for: Self.caller(tpm: nil)) == (body.readableBytes + 3) / 4)
        #expect(Gateway.estimatedTokens(body, for: nil) == (body.readableBytes + 3) / 4)
    }

    @Test("a body larger than the counted bytes is counted on its start and scaled")
    func largeBodyScaled() throws {
        let paragraph = "The quick brown fox jumps over the lazy dog while the gateway counts every token. "
        let text = String(repeating: paragraph, count: (Gateway.countedBytes * 3) / paragraph.utf8.count)
        let exact = try #require(Tokenizer.cl100k).count(text)
        let estimate = Gateway.estimatedTokens(ByteBuffer(string: text), for: Self.caller(tpm: 1000))
        #expect(abs(Double(estimate - exact)) / Double(exact) < 0.02, "\(estimate) against \(exact)")
    }
}
