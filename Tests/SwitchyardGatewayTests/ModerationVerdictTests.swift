import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// What a moderation model's answer says: the Moderations API's shape, and a chat model's classification.
@Suite("Moderation verdict")
struct ModerationVerdictTests {
    static func moderations(_ results: String) throws -> JSONValue {
        try JSONValue(decoding: #"{"id":"modr-1","model":"omni-moderation-latest","results":\#(results)}"#)
    }

    static let violent = #"""
        [{"flagged":true,"categories":{"violence":true,"violence/graphic":true,"hate":false,"harassment":false},
          "category_scores":{"violence":0.91,"violence/graphic":0.72,"hate":0.01,"harassment":0.02}}]
        """#

    @Test("Moderations API: every true category counts when none are configured; nothing flagged is no verdict")
    func moderationsAll() throws {
        let verdict = try ModerationVerdict(moderationsAnswer: try Self.moderations(Self.violent), counting: [])
        #expect(verdict.flagged)
        #expect(verdict.categories == ["violence", "violence/graphic"])
        let clean = try ModerationVerdict(
            moderationsAnswer: try Self.moderations(#"[{"flagged":false,"categories":{"violence":false},"category_scores":{"violence":0.01}}]"#),
            counting: [])
        #expect(!clean.flagged && clean.categories.isEmpty)
        // Flagged with no true category (or none at all) still counts.
        let bare = try ModerationVerdict(moderationsAnswer: try Self.moderations(#"[{"flagged":true}]"#), counting: [])
        #expect(bare.categories == ["flagged"])
    }

    @Test("Moderations API: configured categories filter, a prefix counts its sub-categories, several results add up once each")
    func moderationsCounted() throws {
        let hateOnly = try ModerationVerdict(moderationsAnswer: try Self.moderations(Self.violent), counting: ["hate"])
        #expect(!hateOnly.flagged, "a violence-only flag does not count for [hate]")
        let violence = try ModerationVerdict(moderationsAnswer: try Self.moderations(Self.violent), counting: ["violence"])
        #expect(violence.categories == ["violence", "violence/graphic"], "violence counts violence/graphic")
        let graphic = try ModerationVerdict(moderationsAnswer: try Self.moderations(Self.violent), counting: ["violence/graphic"])
        #expect(graphic.categories == ["violence/graphic"])
        let notAPrefix = try ModerationVerdict(
            moderationsAnswer: try Self.moderations(#"[{"flagged":true,"categories":{"violenceish":true}}]"#), counting: ["violence"])
        #expect(!notAPrefix.flagged, "a prefix counts only before a slash")
        let two = try ModerationVerdict(
            moderationsAnswer: try Self.moderations(
                #"[{"flagged":true,"categories":{"hate":true}},{"flagged":true,"categories":{"hate":true,"violence":true}}]"#),
            counting: [])
        #expect(two.categories == ["hate", "violence"])
    }

    @Test("Moderations API: an answer without results cannot be read", arguments: [
        #"{"id":"modr-1"}"#, #"{"results":[]}"#, #"{"results":"none"}"#, #"[]"#,
    ])
    func moderationsWithoutResults(_ text: String) throws {
        let answer = try JSONValue(decoding: text)
        #expect(throws: GatewayError.self) { try ModerationVerdict(moderationsAnswer: answer, counting: []) }
    }

    @Test("chat: the JSON object is found inside prose; named categories filtered by those configured")
    func chatAnswer() throws {
        let prose = #"Sure. Here is my classification: {"flagged": true, "categories": ["Violence", "hate"]} Hope that helps."#
        #expect(try ModerationVerdict(chatAnswer: prose, counting: []).categories == ["violence", "hate"])
        #expect(try ModerationVerdict(chatAnswer: prose, counting: ["hate", "sexual"]).categories == ["hate"])
        // Flagged for categories the guardrail does not count is no finding; flagged naming none counts as `flagged`.
        #expect(try ModerationVerdict(chatAnswer: prose, counting: ["sexual"]).categories == [])
        #expect(try ModerationVerdict(chatAnswer: prose, counting: ["VIOLENCE"]).categories == ["violence"])
        #expect(try ModerationVerdict(chatAnswer: #"{"flagged": true}"#, counting: ["violence"]).categories == ["flagged"])
        let fenced = "```json\n{\"flagged\": true, \"categories\": [\"violence/graphic\"]}\n```"
        #expect(try ModerationVerdict(chatAnswer: fenced, counting: ["violence"]).categories == ["violence/graphic"])
    }

    @Test("chat: flagged false is no verdict, whatever categories it names")
    func chatNotFlagged() throws {
        #expect(!(try ModerationVerdict(chatAnswer: #"{"flagged": false, "categories": []}"#, counting: []).flagged))
        #expect(!(try ModerationVerdict(chatAnswer: #"{"flagged": false, "categories": ["violence"]}"#, counting: []).flagged))
    }

    @Test("chat: an answer without a readable classification throws", arguments: [
        "I cannot help with that.", "", "{not json}", #"{"categories": ["violence"]}"#, #"{"flagged": "yes"}"#, "} backwards {",
    ])
    func chatGarbage(_ text: String) {
        #expect(throws: GatewayError.self) { try ModerationVerdict(chatAnswer: text, counting: []) }
    }

    @Test("chat: the classification request names the categories and quotes each text")
    func chatMessages() {
        let messages = ModerationVerdict.chatMessages(for: ["first text", "second"], categories: ["hate", "violence"])
        #expect(messages.count == 2)
        #expect(messages[0]["role"]?.string == "system" && messages[0]["content"]?.string?.contains("hate, violence") == true)
        let quoted = messages[1]["content"]?.string ?? ""
        #expect(quoted == "<text 1>\nfirst text\n</text 1>\n<text 2>\nsecond\n</text 2>")
    }
}
