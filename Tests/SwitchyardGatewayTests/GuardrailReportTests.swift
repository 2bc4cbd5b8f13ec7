import SwitchyardCore
import Testing

@testable import SwitchyardGateway

/// What the guardrails did, as the request log keeps it and as the `x-switchyard-guardrails` header tells it.
@Suite("Guardrail report")
struct GuardrailReportTests {
    static func report(_ records: [(String, String, String, [String])]) -> GuardrailReport {
        var report = GuardrailReport()
        for (guardrail, action, direction, kinds) in records { report.record(guardrail: guardrail, action: action, direction: direction, kinds: kinds) }
        return report
    }

    static let samples: [GuardrailReport] = [
        report([("pii", "redact", "input", ["email", "email", "credit_card"])]),
        report([("pii", "redact", "input", ["email"]), ("watch", "flag", "input", ["watch"])]),
        report([("pii", "redact", "input", ["email"]), ("pii", "redact", "output", ["email", "secret"])]),
        report([("leaks", "redact", "output", ["secret"]), ("moderation", "error", "input", ["error"])]),
        report([("moderation", "flag", "input", ["violence", "violence/graphic"]), ("my-words_2", "block", "output", ["my-words_2"])]),
    ]

    @Test("a report's logged text read back gives the same report and the same header", arguments: samples.indices)
    func roundTrip(_ index: Int) throws {
        let report = Self.samples[index]
        let parsed = try #require(GuardrailReport(logged: report.logged), "\(report.logged)")
        #expect(parsed.header == report.header, "\(report.logged)")
        #expect(parsed == report, "\(report.logged)")
        #expect(parsed.logged == report.logged)
    }

    @Test("the logged text and the header")
    func shapes() {
        let report = Self.report([("pii", "redact", "input", ["email", "email", "credit_card"]), ("pii", "redact", "output", ["email"])])
        #expect(report.logged == "pii=redact:credit_card=1,email=2;output:pii=redact:email=1")
        #expect(report.header == "pii=redact:4", "input and output findings add up")
        let parsed = GuardrailReport(logged: "output:pii=redact:email=1;output:pii=redact:email=2")
        #expect(parsed?.entries.count == 1 && parsed?.entries.first?.counts == ["email": 3], "the same guardrail's entries merge")
    }

    @Test("empty or unreadable logged text gives no report", arguments: ["", "pii", "pii=redact", "pii=redact:email=x", "pii=redact:email"])
    func unreadable(_ text: String) {
        #expect(GuardrailReport(logged: text) == nil)
    }
}
