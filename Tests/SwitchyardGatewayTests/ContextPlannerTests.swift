import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// The layout of a request's messages and the strategies' choices, with every message costing 10 tokens.
@Suite("Context layout and planning")
struct ContextPlannerTests {
    static func message(_ role: String, _ text: String = "x") -> JSONValue { ["role": .string(role), "content": .string(text)] }

    static func toolCall(_ id: String) -> JSONValue {
        ["role": "assistant", "content": nil, "tool_calls": [["id": .string(id), "type": "function", "function": ["name": "f", "arguments": "{}"]]]]
    }

    static func toolResult(_ id: String) -> JSONValue { ["role": "tool", "tool_call_id": .string(id), "content": "done"] }

    /// system, then turns u0/a0 … u(n-1)/a(n-1), then the newest user message.
    static func conversation(turns: Int) -> [JSONValue] {
        var messages = [message("system", "rules")]
        for turn in 0..<turns { messages += [message("user", "u\(turn)"), message("assistant", "a\(turn)")] }
        return messages + [message("user", "now")]
    }

    func planner(_ messages: [JSONValue], budget: Int, outside: Int = 0) -> ContextPlanner {
        ContextPlanner(layout: ContextLayout(messages), tokens: Array(repeating: 10, count: messages.count), outside: outside, budget: budget)
    }

    func texts(_ messages: [JSONValue]) -> [String] { messages.map { $0["content"]?.string ?? "call" } }

    @Test("turns start at user messages; tool calls stay with their results; system messages are pinned wherever they are")
    func layout() {
        let messages = [
            Self.message("system"), Self.message("assistant", "greeting"), Self.message("user", "u0"), Self.toolCall("c1"), Self.toolResult("c1"),
            Self.message("assistant", "a0"), Self.message("developer", "mid"), Self.message("user", "u1"), Self.message("assistant", "a1"),
            Self.message("user", "now"), Self.toolCall("c2"), Self.toolResult("c2"),
        ]
        let layout = ContextLayout(messages)
        #expect(layout.pinned == [0, 6])
        #expect(layout.turns == [[1], [2, 3, 4, 5], [7, 8]])
        #expect(layout.newest == [9, 10, 11], "the newest turn runs from the last user message to the end")
        #expect(texts(layout.messages(keeping: [2])) == ["x", "mid", "u1", "a1", "now", "call", "done"])
    }

    @Test("sliding window: the most recent turns that fit, the oldest dropped first, never the system message or the newest turn")
    func slidingWindow() {
        // system + 5 turns of 2 + newest = 12 messages, 120 tokens; a budget of 80 leaves 60 for history: 3 turns.
        let plan = planner(Self.conversation(turns: 5), budget: 80)
        #expect(plan.required == 20)
        #expect(plan.room == 60)
        let kept = plan.recentTurns(within: plan.room)
        #expect(kept == [2, 3, 4])
        #expect(texts(plan.layout.messages(keeping: kept)) == ["rules", "u2", "a2", "u3", "a3", "u4", "a4", "now"])
    }

    @Test("a turn that does not fit stops the window: no older turn is kept past a gap")
    func noGaps() {
        let messages = Self.conversation(turns: 3)
        // Turn 1 is large.
        var tokens = Array(repeating: 10, count: messages.count)
        tokens[3] = 500
        let plan = ContextPlanner(layout: ContextLayout(messages), tokens: tokens, outside: 0, budget: 80)
        #expect(plan.recentTurns(within: plan.room) == [2])
    }

    @Test("the newest turn that cannot fit alone is a 400 context_length_exceeded, the system messages counted too")
    func newestTooLarge() {
        let plan = planner(Self.conversation(turns: 1), budget: 25, outside: 6)
        #expect(plan.required == 26)
        do {
            try plan.checkRequiredFits(model: "chat")
            Issue.record("no error")
        } catch {
            #expect(error.status == 400)
            #expect(error.code == "context_length_exceeded")
        }
        #expect(throws: Never.self) { try planner(Self.conversation(turns: 1), budget: 26, outside: 6).checkRequiredFits(model: "chat") }
    }

    @Test("retrieve: the top-k similar turns come first, then the recent ones fill what is left; order stays the original")
    func retrieve() {
        // Room 60: three turns. Turn 0 is the most similar, then turn 3.
        let plan = planner(Self.conversation(turns: 6), budget: 80)
        let (kept, retrieved) = plan.retrieve(similarity: [0.9, 0.1, 0.2, 0.8, 0.3, 0.0], topK: 2)
        #expect(kept == [0, 3, 5])
        #expect(retrieved == [0], "turn 3 is not the window's, but turn 0 alone was brought back from beyond it")
        #expect(texts(plan.layout.messages(keeping: kept)) == ["rules", "u0", "a0", "u3", "a3", "u5", "a5", "now"])
    }

    @Test("summarize: the oldest turns that do not fit beside the summary are replaced; the summary follows the system messages")
    func summarize() {
        let plan = planner(Self.conversation(turns: 5), budget: 80)
        // 60 of room, 20 of it for the summary: two recent turns stay, three are summarized.
        #expect(plan.summarizedTurns(summaryTokens: 20) == 3)
        let summary = Self.message("system", "summary")
        #expect(texts(plan.layout.messages(keeping: [3, 4], summary: summary)) == ["rules", "summary", "u3", "a3", "u4", "a4", "now"])
    }

    @Test("the header names every count")
    func header() {
        #expect(ContextFit(kept: 5, dropped: 4, summarized: 2, retrieved: 1, tokens: 812).header == "kept=5 dropped=4 summarized=2 retrieved=1 tokens=812")
    }
}
