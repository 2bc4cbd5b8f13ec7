/// The closed set of upstream dialects the gateway speaks.
public enum ProviderKind: String, Sendable, CaseIterable {
    /// Any server that speaks the OpenAI API: OpenAI, vLLM, llama.cpp server, Ollama's /v1, LM Studio, Groq ...
    case openai
    /// Anthropic's Messages API.
    case anthropic
    /// Azure OpenAI: OpenAI's API under per-deployment URLs, with an `api-version` and an `api-key` header.
    case azureOpenAI = "azure-openai"
    /// Google's Gemini API (Google AI Studio).
    case gemini
    /// Ollama's native API (for its OpenAI-compatible `/v1`, use `openai`).
    case ollama
    /// AWS Bedrock's Converse API, signed with AWS Signature Version 4 (or a Bedrock API key).
    case bedrock

    /// The official endpoint root, used when a provider names no `base_url`; nil where every user has their own.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        case .azureOpenAI: nil
        case .gemini: "https://generativelanguage.googleapis.com/v1beta"
        case .ollama: "http://127.0.0.1:11434"
        case .bedrock: nil  // https://bedrock-runtime.{region}.amazonaws.com, from the region
        }
    }

    /// The API version sent when a provider names none (Azure OpenAI's `api-version`); nil where the dialect has none.
    public var defaultAPIVersion: String? {
        switch self {
        case .azureOpenAI: "2024-10-21"
        case .openai, .anthropic, .gemini, .ollama, .bedrock: nil
        }
    }

    /// The provider's name in the OpenTelemetry GenAI semantic conventions (`gen_ai.provider.name`).
    public var semanticConventionName: String {
        switch self {
        case .openai: "openai"
        case .anthropic: "anthropic"
        case .azureOpenAI: "azure.ai.openai"
        case .gemini: "gcp.gemini"
        case .ollama: "ollama"
        case .bedrock: "aws.bedrock"
        }
    }

    /// What this provider type can do behind the gateway.
    public var capabilities: ProviderCapabilities {
        switch self {
        case .openai, .azureOpenAI:
            ProviderCapabilities(
                dialect: "openai", streaming: true, tools: true, images: true, imageURLs: true, jsonSchema: true, embeddings: true,
                tokenCounting: .estimated, messagesPassthrough: false)
        case .anthropic:
            ProviderCapabilities(
                dialect: "anthropic", streaming: true, tools: true, images: true, imageURLs: true, jsonSchema: false, embeddings: false,
                tokenCounting: .native, messagesPassthrough: true)
        case .gemini:
            ProviderCapabilities(
                dialect: "gemini", streaming: true, tools: true, images: true, imageURLs: true, jsonSchema: true, embeddings: true,
                tokenCounting: .native, messagesPassthrough: false)
        case .ollama:
            ProviderCapabilities(
                dialect: "ollama", streaming: true, tools: true, images: true, imageURLs: false, jsonSchema: true, embeddings: true,
                tokenCounting: .estimated, messagesPassthrough: false)
        case .bedrock:
            ProviderCapabilities(
                dialect: "bedrock-converse", streaming: true, tools: true, images: true, imageURLs: false, jsonSchema: false, embeddings: false,
                tokenCounting: .estimated, messagesPassthrough: false)
        }
    }
}
