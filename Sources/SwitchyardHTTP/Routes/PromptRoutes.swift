import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardPrompts
import SwitchyardWire

/// Prompt templates as endpoints: `POST /v1/prompts/{name}/run` renders the prompt with the request's variables
/// and runs it through the chat pipeline (limits, spend, cache, guardrails, context, metrics), attributed to the
/// prompt and version; `POST /v1/prompts/{name}/subscription` asks for a team's subscription.
struct PromptRoutes {
    let services: HTTPServices
    let prompts: PromptLibrary

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/v1/prompts/{name}/run") { request, context in
            try await run(request, name: try context.parameters.require("name"), context: context)
        }
        router.post("/v1/prompts/{name}/subscription") { _, context in
            let (subscription, created) = try await prompts.subscribe(try context.parameters.require("name"), caller: context.caller)
            return AdminJSON.response(PromptJSON.subscription(subscription), status: created ? .created : .ok)
        }
    }

    static let runFields: Set<String> = ["variables", "version", "stream", "stream_options", "user", "metadata"]

    func run(_ request: Request, name: String, context: GatewayRequestContext) async throws -> Response {
        let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        guard case .object(let fields) = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        if let unknown = fields.keys.sorted().first(where: { !Self.runFields.contains($0) }) {
            throw GatewayError.badRequest(
                "Unknown field '\(unknown)'; expected some of: \(Self.runFields.sorted().joined(separator: ", ")).", param: unknown)
        }
        var stream = false
        if let flag = fields["stream"], !flag.isNull {
            guard let value = flag.bool else { throw GatewayError.badRequest("'stream' must be true or false.", param: "stream") }
            stream = value
        }
        let version = try PromptVersionNumber.parse(fields["version"], param: "version")
        let run = try await prompts.runnable(name, version: version, caller: context.caller)
        context.journal?.update { summary in
            summary.prompt = run.prompt.name
            summary.promptVersion = run.version
        }
        // What the client adds for itself (usage in the stream, its user for memory) goes with the request.
        let passed = fields.filter { ["stream_options", "user", "metadata"].contains($0.key) }
        let chatRequest = try prompts.chatRequest(run, variables: fields["variables"], stream: stream, passing: passed)
        return try await respond(chatRequest, run, body, request, context)
    }

    private func respond(
        _ chatRequest: ChatRequest, _ run: PromptLibrary.Run, _ body: ByteBuffer, _ request: Request, _ context: GatewayRequestContext
    ) async throws -> Response {
        let upstream = context.upstreamContext
        if chatRequest.stream {
            let routed = try await services.gateway.stream(chatRequest, caller: context.caller, context: upstream)
            var response = ServerSentEventsResponse.make(
                routed.value, encoder: OpenAIStreamEncoder(), departure: context.departure, journal: context.journal, logger: upstream.logger)
            OpenAIRoutes.stampRouting(routed, on: &response)
            Self.stampPrompt(run, on: &response)
            return response
        }
        return try await services.idempotency.respond(to: request, body: body, caller: context.caller) {
            let routed = try await services.gateway.complete(chatRequest, caller: context.caller, context: upstream)
            context.journal?.captureResponse(routed.value.body)
            var response = OpenAIRoutes.json(routed.value.body)
            OpenAIRoutes.stampRouting(routed, on: &response)
            Self.stampPrompt(run, on: &response)
            return IdempotentAnswer(response: response, replayableBody: routed.value.body)
        }
    }

    /// `x-switchyard-prompt: name@version`, and for a deprecated prompt `Deprecation` (RFC 9745, the time it was
    /// deprecated) with `Sunset` (RFC 8594) when a date is set.
    static func stampPrompt(_ run: PromptLibrary.Run, on response: inout Response) {
        response.headers.append(HTTPField(name: .switchyardPrompt, value: "\(run.prompt.name)@\(run.version)"))
        guard run.prompt.state == .deprecated else { return }
        response.headers.append(HTTPField(name: .deprecation, value: "@\(Int((run.deprecatedAt ?? run.prompt.updatedAt).timeIntervalSince1970))"))
        if let sunset = run.prompt.sunset {
            response.headers.append(HTTPField(name: .sunset, value: HTTPDateHeader.format(Int(sunset.timeIntervalSince1970))))
        }
    }
}
