import Foundation
package import SwitchyardCore
package import SwitchyardWire
import SwitchyardTokenizer

/// Knowledge put before the model: the chunks a search finds for the user's newest message, given as one system
/// message just before it, each chunk under its file's name.
extension KnowledgeBase {
    /// The most stores one request searches.
    static let maximumStoresPerRequest = 10

    /// The stores `ids` names, each the caller's tenant's; an unknown or foreign one is a 404 naming `param`.
    package func vectorStores(_ ids: [String], caller: Caller?, param: String) async throws -> [StoredVectorStore] {
        guard !ids.isEmpty, ids.count <= Self.maximumStoresPerRequest else {
            throw GatewayError.badRequest("\(param) must name 1 to \(Self.maximumStoresPerRequest) vector stores.", param: param)
        }
        var stores: [StoredVectorStore] = []
        for id in ids where !stores.contains(where: { $0.id == id }) { stores.append(try await vectorStore(id, caller: caller, param: param)) }
        return stores
    }

    /// Chat completions with `x-switchyard-knowledge: vs_…[,vs_…]`: the request with the chunks its newest user
    /// message finds in those stores put before it, and how many were found.
    package func augment(_ request: ChatRequest, header: String, caller: Caller?, context: UpstreamContext) async throws -> (ChatRequest, Int) {
        let ids = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let stores = try await vectorStores(ids, caller: caller, param: "x-switchyard-knowledge")
        guard case .object(var fields) = try JSONValue(decoding: request.body), let messages = fields["messages"]?.array else {
            return (request, 0)
        }
        // Screened as the request will be: what the model's guardrails keep from it never reaches the embedding model.
        let newest = String(Self.newestUserText(messages).prefix(KnowledgeQuery.maximumQueryCharacters))
        let query = try gateway.screenText(newest, model: request.model, caller: caller, context: context)
        guard !query.allSatisfy(\.isWhitespace) else { return (request, 0) }
        let results = fitting(try await search(stores, query: KnowledgeQuery(text: query), caller: caller, context: context), model: request.model)
        guard !results.isEmpty else { return (request, 0) }
        fields["messages"] = .array(Self.inserting(Self.contextMessage(results), into: messages))
        var augmented = request
        augmented.body = JSONValue.object(fields).encoded
        return (augmented, results.count)
    }

    /// The most tokens of chunks put before a model: 4,000, or a quarter of the model's `context.window_tokens`
    /// when that is less, so what is found never crowds out the conversation.
    static let contextTokens = 4_000

    /// The best of `results` whose texts fit the context budget of `model`, in order (at least none, at most all).
    package func fitting(_ results: [Result], model: String) -> [Result] {
        var budget = Self.contextTokens
        if let window = gateway.catalog.entry(model)?.route.context?.windowTokens { budget = min(budget, window / 4) }
        var kept: [Result] = []
        for result in results {
            let tokens = Tokenizer.cl100k?.count(result.text) ?? result.text.utf8.count / 4
            guard tokens <= budget else { break }
            budget -= tokens
            kept.append(result)
        }
        return kept
    }

    /// The text of the newest user message of Chat messages (its text parts, joined).
    package static func newestUserText(_ messages: [JSONValue]) -> String {
        guard let message = messages.last(where: { $0["role"]?.string == "user" }) else { return "" }
        if let text = message["content"]?.string { return text }
        return (message["content"]?.array ?? []).compactMap { $0["type"]?.string == "text" ? $0["text"]?.string : nil }.joined(separator: "\n")
    }

    /// `message` placed just before the newest user message (at the end when there is none).
    package static func inserting(_ message: JSONValue, into messages: [JSONValue]) -> [JSONValue] {
        var messages = messages
        let position = messages.lastIndex { $0["role"]?.string == "user" } ?? messages.endIndex
        messages.insert(message, at: position)
        return messages
    }

    /// The system message that gives the model the chunks found, numbered, each under its file's name.
    package static func contextMessage(_ results: [Result]) -> JSONValue {
        var text = "Use the following excerpts from the knowledge base where they help to answer; each names the file it comes from.\n"
        for (number, result) in results.enumerated() {
            text += "\n[\(number + 1)] \(result.filename)\n\(result.text)\n"
        }
        return ["role": "system", "content": .string(text)]
    }
}
