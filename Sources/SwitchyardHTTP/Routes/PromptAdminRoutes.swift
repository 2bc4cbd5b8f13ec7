import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardPrompts
import SwitchyardWire

/// The admin API for prompts and subscriptions (master key): versions, activation and rollback, lifecycle moves,
/// diffs, history, and subscription decisions.
struct PromptAdminRoutes {
    let administration: PromptAdministration

    /// Who made a change through the admin API.
    static let actor = "master"

    func register(on router: Router<GatewayRequestContext>) {
        let admin = router.group("/admin").add(middleware: MasterKeyRequirement())
        let administration = administration
        admin.post("/prompts") { request, _ in
            let (prompt, version) = try await administration.addVersion(try await Self.jsonBody(request), actor: Self.actor)
            return AdminJSON.response(PromptJSON.prompt(prompt, added: version), status: .created)
        }
        admin.get("/prompts") { _, _ in AdminJSON.list(try await administration.prompts().map { .object(PromptJSON.prompt($0)) }) }
        admin.get("/prompts/{name}") { _, context in
            let (prompt, versions) = try await administration.prompt(try context.parameters.require("name"))
            return AdminJSON.response(PromptJSON.prompt(prompt, versions: versions))
        }
        admin.post("/prompts/{name}/activate") { request, context in
            let prompt = try await administration.activate(try context.parameters.require("name"), try await Self.jsonBody(request), actor: Self.actor)
            return AdminJSON.response(.object(PromptJSON.prompt(prompt)))
        }
        for state in [StoredPrompt.State.published, .deprecated, .retired] {
            let verb = state == .published ? "publish" : state == .deprecated ? "deprecate" : "retire"
            admin.post(RouterPath("/prompts/{name}/\(verb)")) { request, context in
                let body = try await Self.jsonBody(request, optional: true)
                let prompt = try await administration.move(try context.parameters.require("name"), to: state, body, actor: Self.actor)
                return AdminJSON.response(.object(PromptJSON.prompt(prompt)))
            }
        }
        admin.get("/prompts/{name}/diff") { request, context in
            let query = request.uri.queryParameters
            guard let from = try PromptVersionNumber.parse(query.get("from").map(JSONValue.string), param: "from") else {
                throw GatewayError.badRequest("'from' is required: the version to compare from.", param: "from")
            }
            guard let to = try PromptVersionNumber.parse(query.get("to").map(JSONValue.string), param: "to") else {
                throw GatewayError.badRequest("'to' is required: the version to compare to.", param: "to")
            }
            return AdminJSON.response(try await administration.diff(try context.parameters.require("name"), from: from, to: to))
        }
        admin.get("/prompts/{name}/history") { _, context in
            AdminJSON.list(try await administration.history(try context.parameters.require("name")).map(PromptJSON.event))
        }
        admin.get("/subscriptions") { request, _ in
            var status: PromptSubscription.Status?
            if let text = request.uri.queryParameters.get("status") {
                guard let value = PromptSubscription.Status(rawValue: text) else {
                    throw GatewayError.badRequest("'status' must be pending, approved or rejected.", param: "status")
                }
                status = value
            }
            return AdminJSON.list(try await administration.subscriptions(status: status).map(PromptJSON.subscription))
        }
        for (verb, approve) in [("approve", true), ("reject", false)] {
            admin.post(RouterPath("/subscriptions/{id}/\(verb)")) { _, context in
                let subscription = try await administration.decide(try context.parameters.require("id"), approve: approve, actor: Self.actor)
                return AdminJSON.response(PromptJSON.subscription(subscription))
            }
        }
    }

    static func jsonBody(_ request: Request, optional: Bool = false) async throws -> JSONValue {
        try await AdminRequestBody.json(request, emptyIsObject: optional)
    }
}
