package import SwitchyardCore

/// Builds the adapter for a configured provider: the one place that maps a ``ProviderKind`` to code.
package enum ProviderRegistry {
    package static func make(_ settings: ProviderSettings, clients: UpstreamClients) -> any Provider {
        switch settings.kind {
        case .openai: OpenAIProvider(settings: settings, clients: clients)
        case .azureOpenAI: AzureOpenAIProvider.make(settings: settings, clients: clients)
        case .anthropic: AnthropicProvider(settings: settings, clients: clients)
        case .gemini: GeminiProvider(settings: settings, clients: clients)
        case .ollama: OllamaProvider(settings: settings, clients: clients)
        case .bedrock: BedrockProvider(settings: settings, clients: clients)
        }
    }
}
