import Foundation
package import Logging
package import NIOCore
package import SwitchyardCore
package import SwitchyardTranslation
package import SwitchyardWire
import Tracing

/// The Responses API with the state kept by the gateway: each request becomes a Chat Completions request (the
/// hub) that goes through the same pipeline as `/v1/chat/completions` (routing, limits, spend, metrics), and its
/// answer becomes a response object stored for later turns, retrieval and replay.
package struct ResponsesService: Sendable {
    package let gateway: Gateway
    package let store: any ResponseStore
    package let background: BackgroundResponses
    /// The most responses a `previous_response_id` chain may hold before a new turn is refused.
    package let maximumChainDepth: Int
    let makeID: ResponsesIDMaker
    let logger: Logger
    /// Where the final states of abandoned streamed responses are queued for storage; nil saves none.
    let finalStates: BatchedWriter<ResponseFinalState>?
    /// Bounds the replays per scope waiting on responses still running.
    let pollers: ReplayPollers
    /// The conversations turns may belong to (`conversation`); nil refuses the field.
    package var conversations: ConversationService?
    /// The vector stores the `file_search` tool searches; nil refuses the tool.
    package var knowledge: KnowledgeBase?
    /// Prompt templates, for requests naming a `prompt`; nil refuses them.
    package var prompts: PromptLibrary?
    /// The leases of the stored responses worked on here; nil takes none (a response of a replica that stops
    /// stays in progress).
    package var leases: ResponseLeases?

    package init(
        gateway: Gateway, store: any ResponseStore, background: BackgroundResponses, maximumChainDepth: Int = 100, logger: Logger,
        finalStates: BatchedWriter<ResponseFinalState>? = nil, pollers: ReplayPollers = ReplayPollers(),
        makeID: @escaping ResponsesIDMaker = ResponsesService.randomID
    ) {
        self.finalStates = finalStates
        self.pollers = pollers
        self.gateway = gateway
        self.store = store
        self.background = background
        self.maximumChainDepth = maximumChainDepth
        self.logger = logger
        self.makeID = makeID
    }

    /// `prefix_` and 48 random hex digits.
    package static let randomID: ResponsesIDMaker = { prefix in
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<3).map { _ in
            let text = String(generator.next(), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return prefix + "_" + digits.joined()
    }

    /// Whose responses a caller creates: its team's, else its key's own; the master key's are its own.
    package static func scope(of caller: Caller?) -> String { caller.tenantScope }

    /// What creating a response gives the client.
    package enum Created: Sendable {
        /// The response object (finished, or queued in the background).
        case object(JSONValue)
        /// Events to stream, without sequence numbers.
        case events(ResponseEvents)
    }

    // MARK: Create

    package func create(_ body: ByteBuffer, caller: Caller?, context: UpstreamContext) async throws -> Created {
        let turn = try await prepare(body, caller: caller, context: context)
        let scope = Self.scope(of: caller)
        let now = Int(Date().timeIntervalSince1970)
        var response = ResponseObject(id: makeID("resp"), createdAt: now, model: turn.model, status: "in_progress", request: turn.request)
        if turn.background {
            response.status = "queued"
            try await store.insertResponse(stored(response, turn: turn, scope: scope))
            let leases = self.leases
            leases?.hold(response.id)
            // The work outlives this request: it reports to no request's journal.
            var detached = context
            detached.journal = nil
            detached.traceContext = .topLevel
            let queued = response
            let store = self.store
            let log = background.start(
                id: response.id,
                cancelledElsewhere: {
                    // Cancelled or deleted through another replica; a storage hiccup is not a cancel.
                    do {
                        let stored = try await store.response(id: queued.id, scope: scope)
                        return stored == nil || stored?.status == "cancelled"
                    } catch {
                        return false
                    }
                }
            ) { [self, detached] log in
                await runInBackground(queued, turn: turn, caller: caller, context: detached, log: log)
                leases?.release(queued.id)
            }
            return turn.stream ? .events(.logged(log.read())) : .object(response.json)
        }
        if turn.stream {
            return .events(try await streamed(response, turn: turn, caller: caller, context: context, scope: scope))
        }
        let completion = try await complete(turn, caller: caller, context: context)
        ChatToResponse.complete(&response, with: completion, makeID: makeID, now: Int(Date().timeIntervalSince1970))
        turn.fileSearch?.annotate(&response)
        try await appendToConversation(turn, response: response)
        if turn.store { try await store.insertResponse(stored(response, turn: turn, scope: scope)) }
        return .object(response.json)
    }

    /// Reads and checks a request, and loads the conversation it continues.
    /// `searching` false leaves a `file_search` unrun (counting tokens does not pay for a query's embedding).
    func prepare(_ body: ByteBuffer, caller: Caller?, context: UpstreamContext, searching: Bool = true) async throws -> Turn {
        guard case .object(var fields) = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        if let reference = fields.removeValue(forKey: "prompt"), !reference.isNull {
            fields = try await applying(prompt: reference, to: fields, caller: caller, context: context)
        }
        guard let model = fields["model"]?.string, !model.isEmpty else { throw GatewayError.badRequest("'model' is required.", param: "model") }
        // Checked here as well as in the pipeline: a background request is stored and queued before it reaches the
        // pipeline, and a model the key may not use must be refused at once, not as a failed background response.
        try caller?.authorize(model: model)
        let flag = { (name: String, fallback: Bool) throws(GatewayError) -> Bool in
            guard let value = fields[name], !value.isNull else { return fallback }
            guard let flag = value.bool else { throw .badRequest("'\(name)' must be true or false.", param: name) }
            return flag
        }
        let stream = try flag("stream", false)
        let background = try flag("background", false)
        let keep = try flag("store", true)
        if background && !keep { throw GatewayError.badRequest("A background response must be stored: 'background' needs 'store' true.", param: "background") }
        let truncation = fields["truncation"]?.string ?? "disabled"
        guard ["auto", "disabled"].contains(truncation) else {
            throw GatewayError.badRequest("'truncation' must be auto or disabled.", param: "truncation")
        }
        let request = JSONValue.object(fields)
        let items = try ResponsesRequestToChat().inputItems(request, makeID: makeID)
        fields["input"] = nil
        var turn = Turn(
            request: .object(fields), model: model, items: items, history: [], previous: nil, stream: stream, background: background, store: keep,
            truncate: truncation == "auto")
        if let conversation = fields["conversation"], !conversation.isNull {
            guard fields["previous_response_id"].map(\.isNull) ?? true else {
                throw GatewayError.badRequest("'conversation' and 'previous_response_id' cannot be used together.", param: "conversation")
            }
            guard let id = conversation.string ?? conversation["id"]?.string else {
                throw GatewayError.badRequest("'conversation' must be a conversation id or an object with its 'id'.", param: "conversation")
            }
            guard let conversations else {
                throw GatewayError.badRequest("Conversations are not served by this gateway.", param: "conversation")
            }
            let stored = try await conversations.conversation(id, caller: caller, param: "conversation")
            turn.conversation = stored
            turn.history = try await conversations.history(of: stored)
            // Checked before the model is paid for: the turn could not be appended afterwards.
            let held = Set(turn.history.compactMap { $0["id"]?.string })
            if let repeated = items.first(where: { $0["id"]?.string.map(held.contains) ?? false }), let itemID = repeated["id"]?.string {
                throw GatewayError.badRequest(
                    "Input item '\(itemID)' is already in conversation '\(id)'; send only the new items.", param: "input")
            }
        }
        if let previousID = fields["previous_response_id"], !previousID.isNull {
            guard let previousID = previousID.string else {
                throw GatewayError.badRequest("'previous_response_id' must be a string.", param: "previous_response_id")
            }
            (turn.previous, turn.history) = try await chain(previousID, scope: caller.tenantReadScope)
        }
        turn.fileSearch = try await fileSearch(fields, items: items, history: turn.history, caller: caller)
        // Validates tools, tool_choice and formats before anything is stored, searched or sent.
        turn.prepared = try turn.chat(stream: turn.stream || turn.background)
        return searching ? try await searched(turn, caller: caller, context: context) : turn
    }

    /// The response `id` continues, and the items of every turn of its chain, oldest first.
    func chain(_ id: String, scope: String?) async throws -> (StoredResponse, [JSONValue]) {
        guard id.isStorableName, let previous = try await store.response(id: id, scope: scope) else {
            throw GatewayError(
                status: 404, kind: .notFound, code: "previous_response_not_found", message: "No response '\(id)' was found.",
                param: "previous_response_id")
        }
        guard previous.depth + 1 < maximumChainDepth else {
            throw GatewayError.badRequest(
                "The conversation is \(previous.depth + 1) responses long, the most this gateway continues is \(maximumChainDepth); "
                    + "start a new one with the context you need.", param: "previous_response_id")
        }
        guard previous.status == "completed" || previous.status == "incomplete" else {
            throw GatewayError.badRequest(
                "Response '\(id)' is \(previous.status); only a completed response can be continued.", param: "previous_response_id")
        }
        var turns: [StoredResponse] = [previous]
        while let parentID = turns.last?.previousResponseID, let parent = try await store.response(id: parentID, scope: scope) {
            turns.append(parent)
        }
        let history = turns.reversed().flatMap { $0.inputItems + ($0.response["output"]?.array ?? []) }
        return (previous, history)
    }

    /// Runs a blocking turn.
    func complete(_ turn: Turn, caller: Caller?, context: UpstreamContext) async throws -> JSONValue {
        try await truncating(turn) { chat in
            let routed = try await gateway.complete(chat, caller: caller, context: context)
            guard let completion = try? JSONValue(decoding: routed.value.body) else {
                throw GatewayError.upstreamUnavailable("The upstream answered with a body that is not JSON.")
            }
            return completion
        }
    }

    /// Sends a turn; with `truncation: auto`, an upstream refusal for the context window drops the oldest turn
    /// of the history and tries again, until the conversation fits or only this turn is left.
    func truncating<Value>(_ turn: Turn, stream: Bool = false, _ send: (ChatRequest) async throws -> Value) async throws -> Value {
        var dropped = 0
        while true {
            do {
                return try await send(try turn.chat(dropping: dropped, stream: stream))
            } catch let error as GatewayError
                where error.isContextWindowExceeded && turn.truncate && dropped < turn.history.count && !fitsItself(turn.model)
            {
                dropped = Self.nextTurnBoundary(in: turn.history, after: dropped)
            }
        }
    }

    /// Whether the gateway fits the model's requests into its window itself (a `context:` section): then a refusal
    /// for the window is final, not a reason to drop turns and fit again.
    func fitsItself(_ model: String) -> Bool { gateway.catalog.entry(model)?.route.context != nil }

    /// Where the turn after the one starting at `start` begins: the next user message, or the end.
    static func nextTurnBoundary(in history: [JSONValue], after start: Int) -> Int {
        var index = start + 1
        while index < history.count, !(history[index]["type"]?.string == "message" && history[index]["role"]?.string == "user") { index += 1 }
        return index
    }

    /// Streams a turn's events. A stored response is saved as `in_progress` when the stream starts (so it can be
    /// read meanwhile) and with its final state when it ends.
    func streamed(_ response: ResponseObject, turn: Turn, caller: Caller?, context: UpstreamContext, scope: String) async throws
        -> ResponseEvents
    {
        let events = try await truncating(turn, stream: true) { chat in try await gateway.stream(chat, caller: caller, context: context).value }
        let store = self.store
        let keep = turn.store
        let leases = keep ? self.leases : nil
        if keep {
            try await store.insertResponse(stored(response, turn: turn, scope: scope))
            leases?.hold(response.id)
        }
        let logger = self.logger
        let finalStates = self.finalStates
        // A stored stream its reader abandons is saved as incomplete, through the writer, rather than left in_progress.
        var saveIfAbandoned: (@Sendable (ResponseObject) -> Void)?
        // Its lease is kept until storage shows it finished (the renewal then lets it go).
        if keep, let finalStates { saveIfAbandoned = { abandoned in finalStates.record(ResponseFinalState(abandoned)) } }
        let translation = StreamedResponseTranslation(streamTranslator(response, turn: turn), saveIfAbandoned: saveIfAbandoned)
        let translated = TranslatedResponseEvents(upstream: events, translation: translation) { [self] finished in
            do {
                try await appendToConversation(turn, response: finished)
            } catch {
                logger.error("could not add a streamed turn to its conversation", metadata: ["id": "\(finished.id)", "error": "\(error)"])
            }
            guard keep else { return }
            do {
                try await store.updateResponse(id: finished.id, status: finished.status, response: finished.json, onlyFrom: ["in_progress"])
                leases?.release(finished.id)
                // Saved: nothing is left for the abandoned-stream path to save (if this save fails, that path saves
                // the response as incomplete).
                translation.ended()
            } catch {
                logger.error("could not save a streamed response", metadata: ["id": "\(finished.id)", "error": "\(error)"])
            }
        }
        return .translated(translated)
    }

    /// A background turn: streams internally (so readers can follow it live) and saves each state change.
    func runInBackground(_ response: ResponseObject, turn: Turn, caller: Caller?, context: UpstreamContext, log: ResponseEventLog) async {
        let open = ["queued", "in_progress"]
        // One translation through the whole run, so a failure or a cancel saves the output streamed so far.
        let translation = StreamedResponseTranslation(streamTranslator(response, turn: turn))
        for event in translation.translate({ $0.start() }) { log.publish(event) }
        let now = { Int(Date().timeIntervalSince1970) }
        do {
            try await store.updateResponse(id: response.id, status: "in_progress", response: translation.response.json, onlyFrom: open)
            let upstream = try await truncating(turn, stream: true) { chat in try await gateway.stream(chat, caller: caller, context: context).value }
            let store = self.store
            let events = TranslatedResponseEvents(upstream: upstream, translation: translation, opened: true) { [self] finished in
                do {
                    try await appendToConversation(turn, response: finished)
                } catch {
                    logger.error("could not add a background turn to its conversation", metadata: ["id": "\(finished.id)", "error": "\(error)"])
                }
                _ = try? await store.updateResponse(id: response.id, status: finished.status, response: finished.json, onlyFrom: open)
            }
            var ended = false
            for await event in events {
                log.publish(event)
                if let type = event["type"]?.string, ["response.completed", "response.incomplete", "response.failed"].contains(type) { ended = true }
            }
            if !ended { throw CancellationError() }
        } catch let error as GatewayError where !Task.isCancelled {
            for event in translation.fail(error, now: now()) { log.publish(event) }
            _ = try? await store.updateResponse(id: response.id, status: "failed", response: translation.response.json, onlyFrom: open)
        } catch {
            if Task.isCancelled || error is CancellationError {
                // Cancelled: by `cancel` (which saved the status first), by another replica, or by shutdown.
                translation.translate { $0.cancel(now: now()) }
                _ = try? await store.updateResponse(id: response.id, status: "cancelled", response: translation.response.json, onlyFrom: open)
            } else {
                logger.error("background response failed", metadata: ["id": "\(response.id)", "error": "\(error)"])
                _ = translation.fail(GatewayError.upstreamUnavailable("The response could not be completed: \(error)"), now: now())
                _ = try? await store.updateResponse(id: response.id, status: "failed", response: translation.response.json, onlyFrom: open)
            }
            log.publish(["type": "response.failed", "response": translation.response.json])
        }
    }

    /// Appends a finished turn's input and output items to its conversation; a failed or cancelled turn adds
    /// nothing.
    func appendToConversation(_ turn: Turn, response: ResponseObject) async throws {
        guard let conversation = turn.conversation, let conversations, ["completed", "incomplete"].contains(response.status) else { return }
        try await conversations.append(turn.items + response.output, to: conversation)
    }

    func stored(_ response: ResponseObject, turn: Turn, scope: String) -> StoredResponse {
        StoredResponse(
            id: response.id, scope: scope, model: turn.model, status: response.status, previousResponseID: turn.previous?.id,
            depth: turn.previous.map { $0.depth + 1 } ?? 0, background: turn.background, request: turn.request, inputItems: turn.items,
            response: response.json, createdAt: Date(timeIntervalSince1970: Double(response.createdAt)),
            leaseExpiresAt: response.status == "queued" || response.status == "in_progress" ? leases?.expiry() : nil)
    }
}
