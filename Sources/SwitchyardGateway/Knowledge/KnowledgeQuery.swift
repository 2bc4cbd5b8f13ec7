package import SwitchyardCore
package import SwitchyardWire

/// A search of vector stores, as `POST /v1/vector_stores/{id}/search` and the `file_search` tool ask for it:
/// `query`, `max_num_results`, `filters`, and `ranking_options` (`score_threshold`, and `hybrid_search` weights:
/// `embedding_weight` and `text_weight`, either 0 for a search by the other alone).
package struct KnowledgeQuery: Sendable, Equatable {
    package var text: String
    package var maxResults: Int
    package var filter: AttributeFilter?
    package var scoreThreshold: Double
    /// The weights of the vector and the lexical ranking in the fusion.
    package var embeddingWeight: Double
    package var textWeight: Double

    package static let defaultMaxResults = 10
    package static let maximumResults = 50
    /// Queries are cut to this many characters.
    static let maximumQueryCharacters = 8_000

    package init(
        text: String, maxResults: Int = KnowledgeQuery.defaultMaxResults, filter: AttributeFilter? = nil, scoreThreshold: Double = 0,
        embeddingWeight: Double = 1, textWeight: Double = 1
    ) {
        self.text = text
        self.maxResults = maxResults
        self.filter = filter
        self.scoreThreshold = scoreThreshold
        self.embeddingWeight = embeddingWeight
        self.textWeight = textWeight
    }

    /// Reads a search request's body; `query` may be absent when `requireQuery` is false (the `file_search` tool,
    /// whose query is the user's message). Errors name fields after `param` (the tool's place, `tools[0].`).
    package init(_ body: JSONValue, requireQuery: Bool = true, param: String = "") throws(GatewayError) {
        guard body.object != nil else { throw .badRequest("The request body must be a JSON object.") }
        var text = ""
        switch body["query"] {
        case .string(let query)?:
            text = query
        case .array(let queries)?:
            guard queries.allSatisfy({ $0.string != nil }) else {
                throw .badRequest("'\(param)query' must be a string or a list of strings.", param: param + "query")
            }
            text = queries.compactMap(\.string).joined(separator: "\n")
        case nil, .null?:
            break
        default:
            throw .badRequest("'\(param)query' must be a string or a list of strings.", param: param + "query")
        }
        if requireQuery, text.allSatisfy(\.isWhitespace) {
            throw .badRequest("'query' is required: the text to search for.", param: "query")
        }
        self.init(text: String(text.prefix(Self.maximumQueryCharacters)))
        if let value = body["max_num_results"], !value.isNull {
            guard let count = value.int, (1...Self.maximumResults).contains(count) else {
                throw .badRequest("'\(param)max_num_results' must be an integer from 1 to \(Self.maximumResults).", param: param + "max_num_results")
            }
            maxResults = count
        }
        if let filters = body["filters"], !filters.isNull { filter = try AttributeFilter(filters, param: param + "filters") }
        if let rewrite = body["rewrite_query"], !rewrite.isNull {
            guard let flag = rewrite.bool else { throw .badRequest("'\(param)rewrite_query' must be true or false.", param: param + "rewrite_query") }
            if flag { throw .badRequest("'\(param)rewrite_query' is not supported: the query is searched as it is sent.", param: param + "rewrite_query") }
        }
        if let ranking = body["ranking_options"], !ranking.isNull {
            guard ranking.object != nil else { throw .badRequest("'\(param)ranking_options' must be an object.", param: param + "ranking_options") }
            if let ranker = ranking["ranker"], !ranker.isNull {
                guard let name = ranker.string, ["auto", "default-2024-11-15", "default_2024_08_21", "none"].contains(name) else {
                    throw .badRequest("'\(param)ranking_options.ranker' must be auto, none, default-2024-11-15 or default_2024_08_21.", param: param + "ranking_options.ranker")
                }
            }
            if let threshold = ranking["score_threshold"], !threshold.isNull {
                guard let value = AttributeFilter.number(threshold), (0...1).contains(value) else {
                    throw .badRequest("'\(param)ranking_options.score_threshold' must be a number from 0 to 1.", param: param + "ranking_options.score_threshold")
                }
                scoreThreshold = value
            }
            if let hybrid = ranking["hybrid_search"], !hybrid.isNull {
                let weight = { (name: String) throws(GatewayError) -> Double in
                    guard let value = hybrid[name], !value.isNull else { return 1 }
                    guard let number = AttributeFilter.number(value), number >= 0, number <= 1_000 else {
                        throw .badRequest(
                            "'\(param)ranking_options.hybrid_search.\(name)' must be a number from 0 to 1000.", param: param + "ranking_options.hybrid_search.\(name)")
                    }
                    return number
                }
                embeddingWeight = try weight("embedding_weight")
                textWeight = try weight("text_weight")
                guard embeddingWeight > 0 || textWeight > 0 else {
                    throw .badRequest(
                        "'\(param)ranking_options.hybrid_search' needs embedding_weight or text_weight above 0.", param: param + "ranking_options.hybrid_search")
                }
            }
        }
    }

    /// The query's words, lowercased, each once, for the lexical search; common English words that would match
    /// nearly every chunk are left out.
    package var terms: [String] {
        var seen: Set<String> = []
        var terms: [String] = []
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) where terms.count < 64 {
            let term = String(word.prefix(64))
            if !Self.stopWords.contains(term), seen.insert(term).inserted { terms.append(term) }
        }
        return terms
    }

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "for", "from", "how", "i", "if", "in", "is", "it", "its", "me",
        "my", "of", "on", "or", "so", "that", "the", "their", "there", "this", "to", "was", "we", "what", "when", "where", "which", "who",
        "why", "will", "with", "you", "your",
    ]
}
