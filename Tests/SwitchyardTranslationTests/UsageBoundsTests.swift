import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@Suite("Usage figures from upstreams are bounded before any arithmetic")
struct UsageBoundsTests {
    static let huge = JSONValue.integer(Int64.max)
    static let negative = JSONValue.integer(Int64.min)

    @Test("Anthropic, Gemini, Bedrock, OpenAI and Responses usage with the largest and smallest integers never trap")
    func extremes() {
        let anthropic = AnthropicResponseToOpenAI.usage(
            ["input_tokens": Self.huge, "cache_read_input_tokens": Self.huge, "cache_creation_input_tokens": Self.huge, "output_tokens": Self.huge])
        #expect(anthropic["prompt_tokens"]?.int == 3 * TokenCount.maximum)
        #expect(anthropic["total_tokens"]?.int == 4 * TokenCount.maximum)
        let gemini = GeminiResponseToOpenAI.usage(["promptTokenCount": Self.huge, "candidatesTokenCount": Self.huge, "thoughtsTokenCount": Self.huge])
        #expect(gemini["completion_tokens"]?.int == 2 * TokenCount.maximum)
        let bedrock = BedrockToOpenAI.usage(["inputTokens": Self.huge, "outputTokens": Self.huge])
        #expect(bedrock["total_tokens"]?.int == 2 * TokenCount.maximum)
        let toAnthropic = OpenAIResponseToAnthropic.usage(["prompt_tokens": Self.negative, "prompt_tokens_details": ["cached_tokens": Self.huge]])
        #expect(toAnthropic["input_tokens"]?.int == 0)
        let responses = ChatToResponse.usage(["prompt_tokens": Self.huge, "completion_tokens": Self.huge])
        #expect(responses["total_tokens"]?.int == 2 * TokenCount.maximum)
    }
}
