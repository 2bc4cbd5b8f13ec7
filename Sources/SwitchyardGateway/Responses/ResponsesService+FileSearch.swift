import Foundation
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// The `file_search` tool, served by the gateway over its vector stores: the turn's newest user message is searched
/// before the model is called, the chunks found go to the model as context, and the response reports the search
/// as a `file_search_call` item and credits the files with `file_citation` annotations. The upstream never sees the
/// tool.
extension ResponsesService {
    /// A search for a turn: what it searches, and once run, what it found.
    struct FileSearch: Sendable {
        var callID: String
        var stores: [StoredVectorStore]
        var query: KnowledgeQuery
        var results: [KnowledgeBase.Result] = []
        /// Whether the request asked for the results in the item (`include: ["file_search_call.results"]`).
        var includeResults: Bool
        /// Whether the search runs: not when `tool_choice` rules the tool out.
        var runs = true

        var item: JSONValue {
            let results = results.map { result -> JSONValue in
                [
                    "file_id": .string(result.fileID), "filename": .string(result.filename), "score": .number(result.score),
                    "text": .string(result.text), "attributes": .object(result.attributes),
                ]
            }
            return FileSearchOutput.callItem(id: callID, queries: [query.text], results: includeResults ? results : nil)
        }

        var citedFiles: [(id: String, filename: String)] { results.map { ($0.fileID, $0.filename) } }

        /// The system message with the chunks found; nil when none were.
        var contextMessage: JSONValue? {
            guard !results.isEmpty else { return Optional.none }
            return KnowledgeBase.contextMessage(results)
        }

        /// A finished response's output with the search item first and the answer's text credited to the files.
        func annotate(_ response: inout ResponseObject) {
            guard runs else { return }
            FileSearchOutput.cite(citedFiles, in: &response.output)
            response.output.insert(item, at: 0)
        }
    }

    /// The request's `file_search` tool read and checked, if it has one and the gateway serves vector stores (without
    /// them the tool is refused as any hosted tool is). Unknown or foreign stores are a 404 before anything reaches
    /// the model. The query is the turn's newest user message.
    func fileSearch(_ fields: [String: JSONValue], items: [JSONValue], history: [JSONValue], caller: Caller?) async throws -> FileSearch? {
        guard let knowledge, let tools = fields["tools"]?.array else { return nil }
        let searches = tools.enumerated().filter { $0.element["type"]?.string == "file_search" }
        guard let (index, tool) = searches.first else { return nil }
        let param = "tools[\(index)]"
        guard searches.count == 1 else { throw GatewayError.badRequest("A request takes one file_search tool.", param: param) }
        guard let named = tool["vector_store_ids"]?.array, case let ids = named.compactMap(\.string), ids.count == named.count else {
            throw GatewayError.badRequest("\(param).vector_store_ids must be a list of vector store ids.", param: "\(param).vector_store_ids")
        }
        var query = try KnowledgeQuery(tool, requireQuery: false, param: param + ".")
        try knowledge.check(query, param: param + ".")
        let stores = try await knowledge.vectorStores(ids, caller: caller, param: "\(param).vector_store_ids")
        let newest = KnowledgeBase.newestUserText(ResponsesRequestToChat.messages(from: items))
        query.text = String((newest.isEmpty ? KnowledgeBase.newestUserText(ResponsesRequestToChat.messages(from: history + items)) : newest)
            .prefix(KnowledgeQuery.maximumQueryCharacters))
        let include = fields["include"]?.array?.contains("file_search_call.results") ?? false
        var search = FileSearch(callID: makeID("fs"), stores: stores, query: query, includeResults: include)
        let choice = fields["tool_choice"]
        search.runs = !(choice?.string == "none" || (choice?["type"]?.string).map { $0 != "file_search" } ?? false)
        return search
    }

    /// The turn with its search run, once the request is known to be valid (its model too: the query's embedding is
    /// paid for). A turn whose `tool_choice` rules the tool out (`none`, or another tool named) is not searched.
    func searched(_ turn: Turn, caller: Caller?, context: UpstreamContext) async throws -> Turn {
        guard let knowledge, var search = turn.fileSearch, search.runs, !search.query.text.allSatisfy(\.isWhitespace) else { return turn }
        guard gateway.catalog.contains(turn.model) else { throw GatewayError.unknownModel(turn.model) }
        // Screened as the turn will be: what the model's guardrails keep from it never reaches the embedding model.
        var query = search.query
        query.text = try gateway.screenText(query.text, model: turn.model, caller: caller, context: context)
        let found = try await knowledge.search(search.stores, query: query, caller: caller, context: context)
        search.results = knowledge.fitting(found, model: turn.model)
        var turn = turn
        turn.fileSearch = search
        // Made again, with the chunks found.
        turn.prepared = nil
        turn.prepared = try turn.chat(stream: turn.stream || turn.background)
        return turn
    }

    /// The stream translator for a turn: the search item already in the output (so its events open the stream) and
    /// the files to credit.
    func streamTranslator(_ response: ResponseObject, turn: Turn) -> ChatToResponsesStreamTranslator {
        guard let search = turn.fileSearch, search.runs else { return ChatToResponsesStreamTranslator(response: response, makeID: makeID) }
        var opening = response
        opening.output.insert(search.item, at: 0)
        var translator = ChatToResponsesStreamTranslator(response: opening, makeID: makeID)
        translator.citedFiles = search.citedFiles
        return translator
    }
}
