package import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders

/// What only the upstream adapters can tell about a configuration, checked by `check-config` and before the server
/// starts: a configuration that passes starts a server whose providers can all be reached.
package enum ConfigurationCheck {
    package static func problems(in configuration: Configuration) -> [ConfigurationProblem] {
        configuration.providers.enumerated().compactMap { index, provider in
            guard let pem = provider.caCertificatesPEM, let problem = UpstreamClients.trustRootsProblem(pem) else { return nil }
            return ConfigurationProblem(path: "providers[\(index)].ca_file", message: problem)
        }
    }
}
