import NIOCore
import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardWire

/// Guardrails on the way in and out: a request whose model, key or team names guardrails has its texts screened
/// before anything else reads them (the cache, memory, context management, the upstream), and its answer screened
/// before the client reads it.
extension Gateway {
    /// A request as the input guardrails left it.
    struct ScreenedInput {
        var request: ChatRequest
        /// What they did; nil when none acted.
        var report: GuardrailReport?
        /// The masked texts to put back in the answer, by placeholder; nil when nothing was masked.
        var masked: [String: String]?
        /// The placeholders handed out, for the answer's screen to go on from.
        var numbering = PlaceholderNumbering()
    }

    /// The request with its texts as the input guardrails leave it (placeholders for what `redact` and `mask`
    /// found), then judged by the moderation guardrails (unless `moderating` is false: a token count pays for no
    /// moderation call).
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything; nothing reaches the upstream.
    func screenInput(_ request: ChatRequest, caller: Caller?, moderating: Bool = true, context: UpstreamContext) async throws -> ScreenedInput {
        guard let active = try inputGuardrails(of: request.model, caller: caller) else { return ScreenedInput(request: request) }
        var numbering = PlaceholderNumbering()
        // Placeholders the client wrote itself are not handed out again.
        numbering.reserveLiterals(in: request.body.readableBytesView)
        if let native = request.native { numbering.reserveLiterals(in: native.body.readableBytesView) }
        var screen = GuardrailScreen(active, direction: .input, numbering: numbering)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        // Encoded again only when a guardrail changed something.
        var hub: JSONValue?
        if request.hubError == nil {
            hub = try GuardedTexts.chat(try Self.readable(request.body)) { try screen.screen($0) }
        }
        var native: JSONValue?
        if let given = request.native, given.dialect == .anthropic {
            // The client's own body says the same with the same placeholders (what only it holds is given its
            // own); what both hold is counted (and judged) once, from the hub body.
            var again = screen
            native = try GuardedTexts.anthropic(try Self.readable(given.body)) { try again.screen($0) }
            let (report, texts) = (screen.report, screen.screenedTexts)
            screen = again
            if request.hubError == nil {
                if !report.isEmpty { screen.report = report }
                screen.screenedTexts = texts
            }
        }
        if moderating { try await moderate(&screen, caller: caller, context: context) }
        // Nothing found: the bytes go as the client sent them.
        guard !screen.report.isEmpty else { return ScreenedInput(request: request, numbering: screen.redactor.numbering) }
        var screened = request
        if let hub { screened.body = hub.encoded }
        if let native, var given = request.native {
            given.body = native.encoded
            screened.native = given
        }
        return ScreenedInput(request: screened, report: screen.report, masked: screen.maskedOriginals, numbering: screen.redactor.numbering)
    }

    /// The guardrails that read what is sent to `model` for `caller`: the model's own, those of the models it falls
    /// back to (a request may end there), then the key's and its team's; nil when there are none.
    /// - Throws: 500 when the key or team names a guardrail that is not configured.
    func inputGuardrails(of model: String, caller: Caller?) throws(GatewayError) -> [GuardrailBook.Guardrail]? {
        guard let guardrails, let route = catalog.entry(model)?.route else { return nil }
        var names = route.guardrails
        for fallback in route.fallbacks {
            for name in catalog.entry(fallback)?.route.guardrails ?? [] where !names.contains(name) { names.append(name) }
        }
        for name in caller?.guardrails ?? [] where !names.contains(name) { names.append(name) }
        let active = try guardrails.guardrails(names, reading: .input)
        return active.isEmpty ? nil : active
    }

    /// The guardrails that read the answers of `model` for `caller`: the model's, then the key's and its team's;
    /// nil when there are none.
    /// - Throws: 500 when the key or team names a guardrail that is not configured.
    func outputGuardrails(of model: String, caller: Caller?) throws(GatewayError) -> [GuardrailBook.Guardrail]? {
        guard let guardrails, let route = catalog.entry(model)?.route else { return nil }
        var names = route.guardrails
        for name in caller?.guardrails ?? [] where !names.contains(name) { names.append(name) }
        let active = try guardrails.guardrails(names, reading: .output)
        return active.isEmpty ? nil : active
    }

    /// A body guardrails must read, decoded.
    /// - Throws: 400 when it is not JSON text the gateway can read (such as a lone surrogate escape): a body the
    ///   guardrails cannot read is not sent on.
    static func readable(_ body: ByteBuffer) throws(GatewayError) -> JSONValue {
        guard let value = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest(
                "The request body holds text that cannot be read (such as a lone surrogate escape); this model's guardrails must read it.",
                code: "invalid_json")
        }
        return value
    }

    /// A non-streamed answer as the output guardrails leave it (placeholders for what `redact` found, numbered on
    /// from the request's), and what they did; the answer as it is, and nil, when none acted.
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything: the answer is not given.
    func screenOutput(
        _ reply: UpstreamReply, model: String, caller: Caller?, numbering: PlaceholderNumbering, context: UpstreamContext
    ) async throws -> (UpstreamReply, GuardrailReport?) {
        guard let active = try outputGuardrails(of: model, caller: caller), let answer = try? JSONValue(decoding: reply.body) else { return (reply, nil) }
        var screen = GuardrailScreen(active, direction: .output, numbering: numbering.continued)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        let answered: JSONValue
        if reply.dialect == .anthropic {
            guard case .object(var fields) = answer, let content = fields["content"] else { return (reply, nil) }
            fields["content"] = try GuardedTexts.anthropicContent(content) { try screen.screen($0) }
            answered = .object(fields)
        } else {
            answered = try GuardedTexts.chat(answer) { try screen.screen($0) }
        }
        try await moderate(&screen, caller: caller, context: context)
        guard !screen.report.isEmpty else { return (reply, nil) }
        var screened = reply
        screened.body = answered.encoded
        return (screened, screen.report)
    }

    /// A streamed answer screened by the output guardrails as it streams (see `StreamScreening`); the stream as it
    /// is when there are none. What they did is counted and logged when the stream ends.
    func screenStream(
        _ events: ChatEventStream, model: String, caller: Caller?, numbering: PlaceholderNumbering, context: UpstreamContext
    ) throws -> ChatEventStream {
        guard let active = try outputGuardrails(of: model, caller: caller) else { return events }
        let gateway = self
        let screening = StreamScreening(
            screen: GuardrailScreen(active, direction: .output, numbering: numbering.continued),
            judge: { screen in try await gateway.moderate(&screen, caller: caller, context: context) },
            note: { report in gateway.noteGuardrails(report, context: context) })
        return ChatEventStream { TextRewritingEventSource(base: events.makeAsyncIterator(), rewriter: screening) }
    }

    /// A text the gateway sends on the request's behalf before the request itself (a knowledge search's query), as
    /// the input guardrails leave it (moderation judges it with the request).
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything.
    func screenText(_ text: String, model: String, caller: Caller?, context: UpstreamContext) throws -> String {
        guard let active = try inputGuardrails(of: model, caller: caller) else { return text }
        var screen = GuardrailScreen(active, direction: .input)
        do {
            return try screen.screen(text)
        } catch {
            // A refusal is counted here; what was replaced is counted when the request itself is screened.
            noteGuardrails(screen.report, context: context)
            throw error
        }
    }

    /// A non-streamed answer with the originals of masked texts put back (its message texts and tool arguments).
    static func restored(_ reply: UpstreamReply, originals: [String: String]) -> UpstreamReply {
        let restorer = PlaceholderRestorer(originals: originals)
        guard let answer = try? JSONValue(decoding: reply.body) else { return reply }
        var restored = reply
        if reply.dialect == .anthropic {
            guard case .object(var fields) = answer, let content = fields["content"] else { return reply }
            fields["content"] = GuardedTexts.anthropicContent(content) { restorer.restore($0) }
            restored.body = JSONValue.object(fields).encoded
        } else {
            restored.body = GuardedTexts.chat(answer) { restorer.restore($0) }.encoded
        }
        return restored
    }

    /// A streamed answer with the originals of masked texts put back as it streams.
    static func restored(_ events: ChatEventStream, originals: [String: String]) -> ChatEventStream {
        ChatEventStream { TextRewritingEventSource(base: events.makeAsyncIterator(), rewriter: PlaceholderRestoring(originals: originals)) }
    }

    /// An embeddings request with its input strings screened by the input guardrails.
    func screenEmbeddings(_ request: EmbeddingRequest, caller: Caller?, context: UpstreamContext) async throws -> (EmbeddingRequest, GuardrailReport?) {
        guard let active = try inputGuardrails(of: request.model, caller: caller) else { return (request, nil) }
        var screen = GuardrailScreen(active, direction: .input)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        let input = try GuardedTexts.embeddingsInput(try Self.readable(request.body)) { try screen.screen($0) }
        try await moderate(&screen, caller: caller, context: context)
        guard !screen.report.isEmpty else { return (request, nil) }
        var screened = request
        screened.body = input.encoded
        return (screened, screen.report)
    }

    /// Counts each guardrail's action (`switchyard_guardrail_actions_total`) and notes the report for the log.
    func noteGuardrails(_ report: GuardrailReport, context: UpstreamContext) {
        guard !report.isEmpty else { return }
        for entry in report.entries {
            catalog.metrics?.guardrailActed(guardrail: entry.guardrail, action: entry.action, direction: entry.direction)
        }
        context.journal?.update { $0.guardrails = [$0.guardrails, report.logged].compactMap { $0 }.joined(separator: ";") }
        // What a guardrail kept from the model (or refused) is not kept in the request log's bodies either.
        let keeps: Set<String> = [GuardrailSettings.Action.redact.rawValue, GuardrailSettings.Action.mask.rawValue, GuardrailSettings.Action.block.rawValue]
        if report.entries.contains(where: { keeps.contains($0.action) }) { context.journal?.withholdBodies() }
    }
}
