import Foundation
import SwitchyardCore
import Yams

extension ConfigurationReader {
    mutating func readModels(
        _ node: Node?, providers: [ProviderSettings], defaultRetry: RetryPolicy, defaultCache: CacheSettings = .init()
    ) -> [ModelRoute] {
        let providerNames = Set(providers.map(\.name))
        var models: [ModelRoute] = []
        var fallbackReferences: [(path: String, owner: String, names: [String])] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "models").enumerated() {
            let path = "models[\(index)]"
            let allowed = [
                "name", "strategy", "targets", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "retry",
                "hedge_after_ms", "health_check", "cache", "context", "memory", "guardrails",
            ]
            guard let members = mapping(item, at: path, allowed: allowed) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name, !seen.insert(name).inserted {
                problem("\(path).name", "another model is already named \"\(name)\"")
            }
            var route = ModelRoute(name: name ?? "", targets: [], retry: defaultRetry)
            route.cache = readModelCache(members["cache"], at: "\(path).cache", over: defaultCache)
            route.strategy = choice(members["strategy"], at: "\(path).strategy", as: RoutingStrategy.self) ?? .roundRobin
            let targetNodes = sequence(members["targets"], at: "\(path).targets")
            if targetNodes.isEmpty, !problems.contains(where: { $0.path == "\(path).targets" }) {
                problem("\(path).targets", "needs at least one target")
            }
            for (targetIndex, targetNode) in targetNodes.enumerated() {
                if let target = readTarget(targetNode, at: "\(path).targets[\(targetIndex)]", providers: providerNames) {
                    route.targets.append(target)
                }
            }
            route.context = readModelContext(members["context"], at: "\(path).context", targets: route.targets)
            route.memory = readModelMemory(members["memory"], at: "\(path).memory")
            route.guardrails = sequence(members["guardrails"], at: "\(path).guardrails").enumerated().compactMap { index, node in
                string(node, at: "\(path).guardrails[\(index)]")
            }
            route.fallbacks = readNames(members["fallbacks"], at: "\(path).fallbacks")
            route.contextWindowFallbacks = readNames(members["context_window_fallbacks"], at: "\(path).context_window_fallbacks")
            route.contentPolicyFallbacks = readNames(members["content_policy_fallbacks"], at: "\(path).content_policy_fallbacks")
            if let retry = mapping(members["retry"], at: "\(path).retry", allowed: ["max_attempts", "deadline_seconds"]) {
                route.retry.maxAttempts = integer(retry["max_attempts"], at: "\(path).retry.max_attempts", in: 1...100) ?? route.retry.maxAttempts
                route.retry.deadline = seconds(retry["deadline_seconds"], at: "\(path).retry.deadline_seconds") ?? route.retry.deadline
            }
            route.hedgeAfter = integer(members["hedge_after_ms"], at: "\(path).hedge_after_ms", in: 1...3_600_000).map { .milliseconds($0) }
            if let check = mapping(members["health_check"], at: "\(path).health_check", allowed: ["interval_seconds", "model"]), !check.isEmpty {
                if let interval = seconds(check["interval_seconds"], at: "\(path).health_check.interval_seconds") {
                    route.healthCheck = HealthCheckSettings(interval: interval, model: string(check["model"], at: "\(path).health_check.model"))
                } else if check["interval_seconds"] == nil {
                    problem("\(path).health_check.interval_seconds", "is required")
                }
            }
            guard name != nil else { continue }
            for (key, names) in [
                ("fallbacks", route.fallbacks), ("context_window_fallbacks", route.contextWindowFallbacks),
                ("content_policy_fallbacks", route.contentPolicyFallbacks),
            ] {
                fallbackReferences.append(("\(path).\(key)", route.name, names))
            }
            models.append(route)
        }
        let modelNames = Set(models.map(\.name))
        for (path, owner, names) in fallbackReferences {
            for (index, fallback) in names.enumerated() {
                if fallback == owner {
                    problem("\(path)[\(index)]", "a model cannot fall back to itself")
                } else if !modelNames.contains(fallback) {
                    problem("\(path)[\(index)]", "no model named \"\(fallback)\"")
                }
            }
        }
        return models
    }

    private mutating func readNames(_ node: Node?, at path: String) -> [String] {
        sequence(node, at: path).enumerated().compactMap { index, item in requiredString(item, at: "\(path)[\(index)]") }
    }

    private mutating func readTarget(_ node: Node, at path: String, providers: Set<String>) -> Target? {
        guard let members = mapping(node, at: path, allowed: ["provider", "model", "weight", "price", "rpm", "tpm"]) else { return nil }
        let provider = requiredString(members["provider"], at: "\(path).provider")
        if let provider, !providers.contains(provider) {
            problem("\(path).provider", "no provider named \"\(provider)\"")
        }
        let model = requiredString(members["model"], at: "\(path).model")
        let weight = number(members["weight"], at: "\(path).weight", minimum: 0, exclusive: true) ?? 1
        var price: Price?
        if let priceMembers = mapping(members["price"], at: "\(path).price", allowed: ["input", "output"]), !priceMembers.isEmpty {
            let input = number(priceMembers["input"], at: "\(path).price.input", minimum: 0)
            let output = number(priceMembers["output"], at: "\(path).price.output", minimum: 0)
            if priceMembers["input"] == nil { problem("\(path).price.input", "is required") }
            if priceMembers["output"] == nil { problem("\(path).price.output", "is required") }
            if let input, let output { price = Price(input: input, output: output) }
        } else {
            warning(path, "no price given, so requests to this target are counted as costing 0")
        }
        let rpm = integer(members["rpm"], at: "\(path).rpm", in: 1...100_000_000)
        let tpm = integer(members["tpm"], at: "\(path).tpm", in: 1...1_000_000_000_000)
        guard let provider, let model else { return nil }
        return Target(provider: provider, model: model, weight: weight, price: price, rpm: rpm, tpm: tpm)
    }
}
