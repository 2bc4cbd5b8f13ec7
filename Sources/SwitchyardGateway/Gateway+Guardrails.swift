import NIOCore
package import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardWire

/// Guardrails on the way in: a request to a model that names guardrails has its texts screened before anything
/// else reads them (the cache, memory, context management, the upstream).
extension Gateway {
    /// The request with its texts as the model's input guardrails leave them (placeholders for what `redact` and
    /// `mask` found), what they did (nil when none acted), and the masked texts to put back in the answer by
    /// placeholder (nil when nothing was masked).
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything; nothing reaches the upstream.
    func screenInput(_ request: ChatRequest, context: UpstreamContext) throws -> (ChatRequest, GuardrailReport?, [String: String]?) {
        guard let active = inputGuardrails(of: request.model) else { return (request, nil, nil) }
        var screen = GuardrailScreen(active, direction: .input)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        var screened = request
        if request.hubError == nil {
            screened.body = try GuardedTexts.chat(try Self.readable(request.body)) { try screen.screen($0) }.encoded
        }
        if var native = request.native, native.dialect == .anthropic {
            // The client's own body says the same with the same placeholders (what only it holds is given its
            // own); what both hold is counted once, from the hub body.
            var again = screen
            native.body = try GuardedTexts.anthropic(try Self.readable(native.body)) { try again.screen($0) }.encoded
            screened.native = native
            let report = screen.report
            screen = again
            if request.hubError == nil, !report.isEmpty { screen.report = report }
        }
        // Nothing found: the bytes go as the client sent them.
        guard !screen.report.isEmpty else { return (request, nil, nil) }
        return (screened, screen.report, screen.maskedOriginals)
    }

    /// The guardrails that read what is sent to `model`: its own, then those of the models it falls back to (a
    /// request may end there); nil when there are none.
    func inputGuardrails(of model: String) -> [GuardrailBook.Guardrail]? {
        guard let guardrails, let route = catalog.entry(model)?.route else { return nil }
        var names = route.guardrails
        for fallback in route.fallbacks {
            for name in catalog.entry(fallback)?.route.guardrails ?? [] where !names.contains(name) { names.append(name) }
        }
        let active = guardrails.guardrails(names, reading: .input)
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

    /// A non-streamed answer as the model's output guardrails leave it (placeholders for what `redact` found), and
    /// what they did; the answer as it is, and nil, when none acted.
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything: the answer is not given.
    func screenOutput(_ reply: UpstreamReply, model: String, context: UpstreamContext) throws -> (UpstreamReply, GuardrailReport?) {
        guard let active = outputGuardrails(of: model), let answer = try? JSONValue(decoding: reply.body) else { return (reply, nil) }
        var screen = GuardrailScreen(active, direction: .output)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        var screened = reply
        if reply.dialect == .anthropic {
            guard case .object(var fields) = answer, let content = fields["content"] else { return (reply, nil) }
            fields["content"] = try GuardedTexts.anthropicContent(content) { try screen.screen($0) }
            screened.body = JSONValue.object(fields).encoded
        } else {
            screened.body = try GuardedTexts.chat(answer) { try screen.screen($0) }.encoded
        }
        return screen.report.isEmpty ? (reply, nil) : (screened, screen.report)
    }

    /// - Throws: 400 naming `stream` for a model with guardrails on its answers, which are applied to whole answers
    ///   only; checked before anything is done (or paid for) on the request's behalf.
    package func checkStreamable(_ model: String) throws(GatewayError) {
        // Guardrails that only flag answers let streams through (unread).
        guard let output = outputGuardrails(of: model), output.contains(where: { $0.settings.action != .flag }) else { return }
        throw GatewayError.badRequest(
            "Model '\(model)' has guardrails on its answers, which this gateway applies to whole answers only; send the request with stream false.",
            param: "stream")
    }

    /// The model's guardrails that read answers; nil when there are none.
    func outputGuardrails(of model: String) -> [GuardrailBook.Guardrail]? {
        guard let guardrails, let names = catalog.entry(model)?.route.guardrails, !names.isEmpty else { return nil }
        let active = guardrails.guardrails(names, reading: .output)
        return active.isEmpty ? nil : active
    }

    /// A text the gateway sends on the request's behalf before the request itself (a knowledge search's query), as
    /// the model's input guardrails leave it.
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything.
    func screenText(_ text: String, model: String, context: UpstreamContext) throws -> String {
        guard let active = inputGuardrails(of: model) else { return text }
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

    /// An embeddings request with its input strings screened by the model's input guardrails.
    func screenEmbeddings(_ request: EmbeddingRequest, context: UpstreamContext) throws -> (EmbeddingRequest, GuardrailReport?) {
        guard let active = inputGuardrails(of: request.model) else { return (request, nil) }
        var screen = GuardrailScreen(active, direction: .input)
        // What the guardrails did is noted whether or not one refused.
        defer { noteGuardrails(screen.report, context: context) }
        var screened = request
        screened.body = try GuardedTexts.embeddingsInput(try Self.readable(request.body)) { try screen.screen($0) }.encoded
        return screen.report.isEmpty ? (request, nil) : (screened, screen.report)
    }

    /// Counts each guardrail's action (`switchyard_guardrail_actions_total`) and notes the report for the log.
    func noteGuardrails(_ report: GuardrailReport, context: UpstreamContext) {
        guard !report.isEmpty else { return }
        for entry in report.entries {
            catalog.metrics?.guardrailActed(guardrail: entry.guardrail, action: entry.action, direction: entry.direction)
        }
        context.journal?.update { $0.guardrails = [$0.guardrails, report.logged].compactMap { $0 }.joined(separator: ";") }
        // What a guardrail kept from the model (or refused) is not kept in the request log's bodies either.
        if report.entries.contains(where: { $0.action != GuardrailSettings.Action.flag.rawValue }) { context.journal?.withholdBodies() }
    }
}
