import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdCore
import Logging
package import SwitchyardCore
package import SwitchyardGateway

/// What the HTTP layer needs from the rest of the gateway.
package struct HTTPServices: Sendable {
    package var gateway: Gateway
    package var authenticator: Authenticator
    package var administration: KeyAdministration
    /// Larger request bodies get 413.
    package var maxBodyBytes: Int
    /// Checks what this replica needs to serve (storage, a fresh key directory) for `/health/ready`; returns the
    /// reason when something is wrong. Upstream health is reported per model, never here.
    package var readiness: @Sendable () async -> String?
    /// Unix time at which the configuration was loaded, shown as `created` in `/v1/models`.
    package var configurationLoadedAt: Int
    /// The Prometheus text exposition for `GET /metrics`; the argument says whether to add the series labelled
    /// by key or team (only for the master key).
    package var metrics: @Sendable (_ includingTenants: Bool) -> [UInt8] = { _ in [] }
    /// Whether `GET /metrics` needs a key (it carries no secrets, so by default it does not).
    package var metricsRequireKey = false
    /// Turns each request into metrics, a span, a log line and a request-log row.
    package var observer = RequestObserver()
    /// The stored request log, for `GET /admin/logs`; nil when it is off.
    package var requestLog: (any RequestLogStore)?
    /// The Responses API; nil leaves its routes unserved.
    package var responses: ResponsesService?
    /// The Conversations API and `x-switchyard-conversation`; nil leaves them unserved.
    package var conversations: ConversationService?
    /// The Files API; nil leaves it unserved.
    package var files: FileService?
    /// The Vector Stores API and `x-switchyard-knowledge`; nil leaves them unserved.
    package var vectorStores: VectorStoreService?
    /// Prompt templates served as endpoints; nil leaves `/v1/prompts` unserved.
    package var prompts: PromptLibrary?
    /// The admin API's prompt and subscription use cases; nil leaves `/admin/prompts` unserved.
    package var promptAdministration: PromptAdministration?
    /// The admin web UI's sessions; nil leaves `/ui` unserved.
    package var uiSessions: UISessions?
    /// The admin analytics (`/admin/analytics/…`); nil leaves them unserved.
    package var analytics: AnalyticsService?
    /// Where answers to requests with an `Idempotency-Key` are kept; nil ignores the header.
    package var idempotencyStore: (any IdempotencyStore)?
    /// Reads the configuration again and puts it in force (`POST /admin/reload`); nil leaves the route unserved.
    package var reload: (@Sendable () async -> ReloadOutcome)?

    var idempotency: IdempotencyGuard { IdempotencyGuard(store: idempotencyStore) }

    package init(
        gateway: Gateway, authenticator: Authenticator, administration: KeyAdministration, maxBodyBytes: Int,
        readiness: @escaping @Sendable () async -> String?, configurationLoadedAt: Int
    ) {
        self.gateway = gateway
        self.authenticator = authenticator
        self.administration = administration
        self.maxBodyBytes = maxBodyBytes
        self.readiness = readiness
        self.configurationLoadedAt = configurationLoadedAt
    }
}

/// Builds the router with every route and middleware of the gateway, and the data-plane table beside it.
package enum GatewayRouter {
    package static func make(_ services: HTTPServices) -> GatewayResponder {
        let router = Router(context: GatewayRequestContext.self)
        let envelope = ResponseEnvelopeMiddleware(observer: services.observer)
        let authentication = AuthenticationMiddleware(
            authenticator: services.authenticator, metricsArePublic: !services.metricsRequireKey, sessions: services.uiSessions)
        router.middlewares.add(envelope)
        router.middlewares.add(authentication)
        HealthRoutes(readiness: services.readiness, catalog: services.gateway.catalog).register(on: router)
        let metrics = services.metrics
        router.get("/metrics") { _, context in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics(context.caller == .master))))
        }
        let openAI = OpenAIRoutes(services: services)
        let anthropic = AnthropicRoutes(services: services)
        // The data-plane routes go in the table behind the middleware, and on the router too, for the paths the
        // table does not hold exactly.
        var posts: [String: GatewayResponder.Handler] = [:]
        for (path, route) in openAI.dataPlanePosts + anthropic.dataPlanePosts {
            router.post(RouterPath(path)) { request, context in try await route(request, context) }
            posts[path] = { request, context in
                try await envelope.handle(request, context: context) { request, context in
                    try await authentication.handle(request, context: context) { request, context in try await route(request, context) }
                }
            }
        }
        openAI.register(on: router)
        anthropic.register(on: router)
        if let responses = services.responses { ResponsesRoutes(services: services, responses: responses).register(on: router) }
        if let conversations = services.conversations { ConversationRoutes(services: services, conversations: conversations).register(on: router) }
        if let files = services.files { FileRoutes(services: services, files: files).register(on: router) }
        if let vectorStores = services.vectorStores { VectorStoreRoutes(services: services, vectorStores: vectorStores).register(on: router) }
        if let memory = services.gateway.memory { MemoryRoutes(memories: MemoryService(memory: memory)).register(on: router) }
        if let prompts = services.prompts { PromptRoutes(services: services, prompts: prompts).register(on: router) }
        if let administration = services.promptAdministration { PromptAdminRoutes(administration: administration).register(on: router) }
        CompatibilityRoutes().register(on: router)
        AdminRoutes(services: services).register(on: router)
        if let analytics = services.analytics { AnalyticsRoutes(analytics: analytics, administration: services.administration).register(on: router) }
        if let sessions = services.uiSessions { UIRoutes(sessions: sessions, authenticator: services.authenticator).register(on: router) }
        return GatewayResponder(router: router.buildResponder(), posts: posts)
    }
}
