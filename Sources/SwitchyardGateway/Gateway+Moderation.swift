import Logging
import SwitchyardCore
import SwitchyardWire

/// Moderation guardrails: a configured model judges the texts of a request (or an answer) as the other guardrails
/// leave them, in one call per guardrail, through the gateway's own pipeline (routed, limited and metered as the
/// caller's, not held to the caller's model list).
extension Gateway {
    /// Runs `screen`'s moderation guardrails, in order, over the texts it let through.
    /// - Throws: 400 `guardrail_blocked` when a blocking one flags them, or fails with `on_error: block`.
    func moderate(_ screen: inout GuardrailScreen, caller: Caller?, context: UpstreamContext) async throws {
        guard !screen.moderators.isEmpty, !screen.screenedTexts.isEmpty else { return }
        let texts = screen.screenedTexts
        for guardrail in screen.moderators {
            guard case .moderation(let settings) = guardrail.settings.kind else { continue }
            let name = guardrail.settings.name
            let direction = screen.direction.rawValue
            let verdict: ModerationVerdict
            do {
                verdict = try await withTimeout(settings.timeout) {
                    try await self.verdict(on: texts, settings: settings, caller: caller, context: context)
                }
            } catch let error as GatewayError where error.status == 429 || error.status == 402 {
                // The caller's own limits and budget refuse the call: the caller is told so, as for any request.
                throw error
            } catch {
                context.logger.warning("moderation guardrail failed", metadata: ["guardrail": "\(name)", "error": "\(error)"])
                guard settings.blocksOnError else {
                    screen.report.record(guardrail: name, action: "error", direction: direction, kinds: ["error"])
                    continue
                }
                screen.report.record(guardrail: name, action: GuardrailSettings.Action.block.rawValue, direction: direction, kinds: ["error"])
                let what = screen.direction == .input ? "The request was blocked" : "The answer was blocked"
                throw GatewayError(
                    status: 400, kind: .invalidRequest, code: "guardrail_blocked",
                    message: "\(what) by guardrail '\(name)': its moderation model '\(settings.model)' could not judge it (\(Self.reason(error))).")
            }
            guard verdict.flagged else { continue }
            let action = guardrail.settings.action
            screen.report.record(guardrail: name, action: action.rawValue, direction: direction, kinds: verdict.categories)
            if action == .block { throw GuardrailScreen.blocked(name, direction: screen.direction, kinds: verdict.categories) }
        }
    }

    /// The moderation model's verdict on `texts`.
    private func verdict(on texts: [String], settings: ModerationSettings, caller: Caller?, context: UpstreamContext) async throws -> ModerationVerdict {
        let caller = caller?.onGatewaysBehalf
        switch settings.method {
        case .moderations:
            let body = JSONValue.object(["model": .string(settings.model), "input": .array(texts.map(JSONValue.string))]).encoded
            let routed = try await reply(model: settings.model, operation: "moderations", body: body, caller: caller, context: Self.ownContext(context)) {
                candidate, context in
                try await candidate.provider.moderate(body, model: candidate.target.model, context: context)
            }
            return try ModerationVerdict(moderationsAnswer: try JSONValue(decoding: routed.value.body), counting: settings.categories)
        case .chat:
            let text = try await completionText(
                messages: ModerationVerdict.chatMessages(for: texts, categories: settings.categories), model: settings.model, maxTokens: 200,
                caller: caller, context: context)
            return try ModerationVerdict(chatAnswer: text, counting: settings.categories)
        }
    }

    /// A failure's message for the client: the gateway's own, or the kind of error.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? GatewayError { return error.message }
        if error is TimeoutError { return "no answer within its timeout" }
        return String(describing: type(of: error))
    }
}
