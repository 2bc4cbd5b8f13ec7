import NIOCore
import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardWire

/// Guardrails on the way in: a request to a model that names guardrails has its texts screened before anything
/// else reads them (the cache, memory, context management, the upstream).
extension Gateway {
    /// The request with its texts as the model's input guardrails leave them (placeholders for what `redact` and
    /// `mask` found), what they did (nil when none acted), and what restores masked texts in the answer (nil when
    /// nothing was masked).
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything; nothing reaches the upstream.
    func screenInput(_ request: ChatRequest, context: UpstreamContext) throws -> (ChatRequest, GuardrailReport?, PlaceholderRestorer?) {
        guard let guardrails, let names = catalog.entry(request.model)?.route.guardrails, !names.isEmpty else { return (request, nil, nil) }
        let active = guardrails.guardrails(names, reading: .input)
        guard !active.isEmpty else { return (request, nil, nil) }
        var screen = GuardrailScreen(active, direction: .input)
        var screened = request
        do {
            if request.hubError == nil, let hub = try? JSONValue(decoding: request.body) {
                screened.body = try GuardedTexts.chat(hub) { try screen.screen($0) }.encoded
            }
            if var native = request.native, native.dialect == .anthropic, let body = try? JSONValue(decoding: native.body) {
                // The client's own body says the same with the same placeholders; what it holds is counted once.
                var again = screen
                if request.hubError != nil { again = GuardrailScreen(active, direction: .input) }
                native.body = try GuardedTexts.anthropic(body) { try again.screen($0) }.encoded
                screened.native = native
                if request.hubError != nil { screen = again }
            }
        } catch {
            noteGuardrails(screen.report, context: context)
            throw error
        }
        noteGuardrails(screen.report, context: context)
        return (screened, screen.report.isEmpty ? nil : screen.report, screen.restorer)
    }

    /// A non-streamed answer as the model's output guardrails leave it (placeholders for what `redact` found), and
    /// what they did; the answer as it is, and nil, when none acted.
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything: the answer is not given.
    func screenOutput(_ reply: UpstreamReply, model: String, context: UpstreamContext) throws -> (UpstreamReply, GuardrailReport?) {
        guard let active = outputGuardrails(of: model), let answer = try? JSONValue(decoding: reply.body) else { return (reply, nil) }
        var screen = GuardrailScreen(active, direction: .output)
        var screened = reply
        do {
            if reply.dialect == .anthropic {
                guard case .object(var fields) = answer, let content = fields["content"] else { return (reply, nil) }
                fields["content"] = try GuardedTexts.anthropicContent(content) { try screen.screen($0) }
                screened.body = JSONValue.object(fields).encoded
            } else {
                screened.body = try GuardedTexts.chat(answer) { try screen.screen($0) }.encoded
            }
        } catch {
            noteGuardrails(screen.report, context: context)
            throw error
        }
        noteGuardrails(screen.report, context: context)
        return screen.report.isEmpty ? (reply, nil) : (screened, screen.report)
    }

    /// The model's guardrails that read answers; nil when there are none.
    func outputGuardrails(of model: String) -> [GuardrailBook.Guardrail]? {
        guard let guardrails, let names = catalog.entry(model)?.route.guardrails, !names.isEmpty else { return nil }
        let active = guardrails.guardrails(names, reading: .output)
        return active.isEmpty ? nil : active
    }

    /// A text the gateway sends on the request's behalf before the request itself (a knowledge search's query), as
    /// the model's input guardrails leave it; they count when they screen the request itself.
    /// - Throws: 400 `guardrail_blocked` when a `block` guardrail finds anything.
    func screenText(_ text: String, model: String) throws -> String {
        guard let guardrails, let names = catalog.entry(model)?.route.guardrails, !names.isEmpty else { return text }
        let active = guardrails.guardrails(names, reading: .input)
        guard !active.isEmpty else { return text }
        var screen = GuardrailScreen(active, direction: .input)
        return try screen.screen(text)
    }

    /// A non-streamed answer with the originals of masked texts put back (its message texts and tool arguments).
    static func restored(_ reply: UpstreamReply, with restorer: PlaceholderRestorer) -> UpstreamReply {
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
        guard let guardrails, let names = catalog.entry(request.model)?.route.guardrails, !names.isEmpty else { return (request, nil) }
        let active = guardrails.guardrails(names, reading: .input)
        guard !active.isEmpty, let body = try? JSONValue(decoding: request.body) else { return (request, nil) }
        var screen = GuardrailScreen(active, direction: .input)
        var screened = request
        do {
            screened.body = try GuardedTexts.embeddingsInput(body) { try screen.screen($0) }.encoded
        } catch {
            noteGuardrails(screen.report, context: context)
            throw error
        }
        noteGuardrails(screen.report, context: context)
        return (screened, screen.report.isEmpty ? nil : screen.report)
    }

    /// Counts each guardrail's action (`switchyard_guardrail_actions_total`) and notes the report for the log.
    func noteGuardrails(_ report: GuardrailReport, context: UpstreamContext) {
        guard !report.isEmpty else { return }
        for entry in report.entries {
            catalog.metrics?.guardrailActed(guardrail: entry.guardrail, action: entry.action, direction: entry.direction)
        }
        context.journal?.update { $0.guardrails = [$0.guardrails, report.logged].compactMap { $0 }.joined(separator: ";") }
    }
}
