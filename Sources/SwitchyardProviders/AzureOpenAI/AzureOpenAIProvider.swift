import NIOHTTP1
import SwitchyardCore

/// Azure OpenAI: OpenAI's API per deployment (the target's model is the deployment), with an `api-version` query
/// and an `api-key` header. Requests and answers are OpenAI's, so the OpenAI adapter serves it on these paths.
enum AzureOpenAIProvider {
    static func make(settings: ProviderSettings, clients: UpstreamClients) -> OpenAIProvider {
        var authentication = HTTPHeaders()
        if let apiKey = settings.apiKey { authentication.add(name: "api-key", value: apiKey) }
        let apiVersion = settings.apiVersion ?? settings.kind.defaultAPIVersion ?? ""
        return OpenAIProvider(
            endpoint: UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication),
            paths: .azureDeployments(apiVersion: apiVersion))
    }
}
