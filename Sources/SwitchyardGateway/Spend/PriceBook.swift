import Foundation
package import SwitchyardCore

/// What a target's tokens cost: its configured price, else the built-in price of a well-known model (kept as data
/// in `model-prices.json`), else nothing.
package struct PriceBook: Sendable {
    private let builtIn: [String: Price]

    package init() {
        builtIn = Self.loadBuiltIn()
    }

    /// The price of `target`, if known.
    package func price(of target: Target) -> Price? {
        if let price = target.price { return price }
        return Self.candidates(target.model).lazy.compactMap { builtIn[$0] }.first
    }

    /// USD for the given usage.
    package func cost(of target: Target, promptTokens: Int, completionTokens: Int) -> Double {
        guard let price = price(of: target) else { return 0 }
        return (Double(promptTokens) * price.input + Double(completionTokens) * price.output) / 1_000_000
    }

    /// The model's name and shorter forms of it: without a vendor prefix (`anthropic.`, `models/`, `org/`),
    /// without a date or version suffix (`-2024-08-06`, `-20250929`, `-v1:0`, `-latest`).
    static func candidates(_ model: String) -> [String] {
        var names = [model]
        var name = model
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        // Bedrock's vendor prefixes (`anthropic.`, `us.meta.`), not the dots of versions (`gemini-2.5`, `gpt-4.1`).
        while let dot = name.firstIndex(of: "."), name[..<dot].allSatisfy(\.isLetter) { name = String(name[name.index(after: dot)...]) }
        names.append(name)
        for suffix in ["-latest", ":latest"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        var parts = name.split(separator: "-").map(String.init)
        while let last = parts.last, parts.count > 1, last.allSatisfy({ $0.isNumber }) || (last.hasPrefix("v") && last.dropFirst().allSatisfy(\.isNumber)) {
            parts.removeLast()
            names.append(parts.joined(separator: "-"))
        }
        names.append(name)
        return names
    }

    private static func loadBuiltIn() -> [String: Price] {
        guard let url = Bundle.module.url(forResource: "model-prices", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let table = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var prices: [String: Price] = [:]
        for (model, value) in table {
            guard let pair = value as? [Double], pair.count == 2 else { continue }
            prices[model] = Price(input: pair[0], output: pair[1])
        }
        return prices
    }
}
