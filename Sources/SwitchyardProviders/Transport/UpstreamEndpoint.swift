import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Tracing

/// Sends requests to one provider's HTTP endpoint and classifies what comes back: the common part of every
/// HTTP-based adapter (timeouts, error mapping, stopwatch), with no knowledge of any dialect.
struct UpstreamEndpoint: Sendable {
    let settings: ProviderSettings
    let plainTransport: any UpstreamTransport
    let streamingTransport: any UpstreamTransport
    /// Headers sent with every request: authentication and the configured extras.
    let fixedHeaders: HTTPHeaders
    /// Signs each request, for providers whose authentication covers the request itself (AWS).
    let signer: AWSSignatureV4?

    init(settings: ProviderSettings, clients: UpstreamClients, authentication: HTTPHeaders, signer: AWSSignatureV4? = nil) {
        self.signer = signer
        self.settings = settings
        let timeouts = settings.timeouts
        // A whole answer arrives with its head; a body that stalls after the head is cut after the same wait.
        plainTransport = clients.transport(
            for: .init(
                http2: settings.http2, connectTimeout: timeouts.connect, idleReadTimeout: timeouts.firstByte,
                caCertificatesPEM: settings.caCertificatesPEM))
        streamingTransport = clients.transport(
            for: .init(
                http2: settings.http2, connectTimeout: timeouts.connect, idleReadTimeout: timeouts.streamIdle,
                caCertificatesPEM: settings.caCertificatesPEM))
        var headers = authentication
        for header in settings.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
        headers.replaceOrAdd(name: "user-agent", value: "switchyard")
        fixedHeaders = headers
    }

    /// A response whose status was 2xx.
    struct Answer: Sendable {
        var response: UpstreamHTTPResponse
        /// When the whole exchange must be over, if the provider sets a total timeout.
        var totalDeadline: ContinuousClock.Instant?
    }

    /// Posts `body` as JSON to `path` under the provider's base URL and waits for a successful response head.
    /// - Throws: ``GatewayError``: the upstream's own error for a non-2xx status, a timeout, or unreachable.
    func post(_ path: String, body: ByteBuffer, streaming: Bool, context: UpstreamContext) async throws -> Answer {
        let url = settings.baseURL + path
        var headers = fixedHeaders
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: streaming ? "text/event-stream" : "application/json")
        headers.add(name: "x-request-id", value: context.requestID)
        context.tracer?.inject(context.traceContext, into: &headers, using: HTTPHeadersInjector())
        signer?.sign(method: "POST", url: url, headers: &headers, body: body)
        return try await send(UpstreamHTTPRequest(method: .POST, url: url, headers: headers, body: body), streaming: streaming, context: context)
    }

    /// Gets `path` under the provider's base URL.
    func get(_ path: String, context: UpstreamContext) async throws -> Answer {
        var headers = fixedHeaders
        headers.add(name: "accept", value: "application/json")
        context.tracer?.inject(context.traceContext, into: &headers, using: HTTPHeadersInjector())
        return try await send(UpstreamHTTPRequest(method: .GET, url: settings.baseURL + path, headers: headers), streaming: false, context: context)
    }

    private func send(_ request: UpstreamHTTPRequest, streaming: Bool, context: UpstreamContext) async throws -> Answer {
        let start = ContinuousClock.now
        let totalDeadline = settings.timeouts.total.map { start + $0 }
        var firstByte = settings.timeouts.firstByte
        if let total = settings.timeouts.total { firstByte = min(firstByte, total) }
        if let deadline = context.deadline { firstByte = max(.zero, min(firstByte, deadline - start)) }
        let transport = streaming ? streamingTransport : plainTransport
        let response: UpstreamHTTPResponse
        do {
            response = try await context.stopwatch.measure {
                try await transport.execute(request, headTimeout: firstByte, logger: context.logger)
            }
        } catch {
            throw classify(error, waitingFor: "a response", limit: firstByte, receivedHead: false)
        }
        guard (200..<300).contains(response.status.code) else {
            throw await upstreamError(from: response, context: context)
        }
        return Answer(response: response, totalDeadline: totalDeadline)
    }

    /// Reads a whole (bounded) body, honouring the total timeout.
    func collect(_ answer: Answer, context: UpstreamContext, limit: Int = 256 << 20) async throws -> ByteBuffer {
        do {
            return try await context.stopwatch.measure {
                try await answer.response.body.collect(upTo: limit)
            }
        } catch {
            throw classify(error, waitingFor: "the response body", limit: settings.timeouts.firstByte)
        }
    }

    /// Turns a transport error into the gateway's error.
    func classify(_ error: any Error, waitingFor what: String, limit: Duration, receivedHead: Bool = true) -> any Error {
        if error is CancellationError || error is GatewayError { return error }
        let name = settings.name
        let detail: String
        switch error as? UpstreamTransportError {
        case .headTimeout:
            return GatewayError.upstreamTimeout("Provider '\(name)' did not send \(what) within \(limit.secondsText) s.")
        case .readTimeout:
            return GatewayError.upstreamTimeout("Provider '\(name)' was silent for more than \(limit.secondsText) s.")
        case .connectTimeout:
            return GatewayError.upstreamTimeout("Could not connect to provider '\(name)' within \(settings.timeouts.connect.secondsText) s.")
        case .bodyTooLarge:
            return GatewayError.upstreamUnavailable("Provider '\(name)' sent \(what) larger than the gateway accepts.")
        case .invalidURL(let url):
            return GatewayError.upstreamUnavailable("Provider '\(name)' has a base URL that is not an http(s) URL: \(url).")
        case .invalidHeader(let header):
            return GatewayError.upstreamUnavailable(
                "Provider '\(name)' would be sent a '\(header)' header that HTTP does not allow (a line break in its value, say); check its configured headers and key.")
        case .connectionFailed(let reason):
            detail = reason
        case nil:
            detail = "\(error)"
        }
        if receivedHead {
            return GatewayError.upstreamUnavailable("Provider '\(name)' broke off \(what): \(detail).")
        }
        return GatewayError.upstreamUnavailable("Could not reach provider '\(name)': \(detail).")
    }

    /// The gateway error for a non-2xx upstream answer, carrying the upstream's own message.
    private func upstreamError(from response: UpstreamHTTPResponse, context: UpstreamContext) async -> GatewayError {
        let status = Int(response.status.code)
        let body = try? await context.stopwatch.measure { try await response.body.collect(upTo: 1 << 20) }
        var error = UpstreamErrorBody.parse(body, status: status, provider: settings.name)
        if status == 401 || status == 403 {
            // The gateway's own credentials for this provider were refused: never the client's key's fault, and a
            // failure of this target (the next target, the fallbacks and the breaker take it from here). What the
            // provider said goes to the operator's log, not to the client.
            context.logger.error(
                "provider refused the gateway's credentials",
                metadata: ["provider": "\(settings.name)", "status": "\(status)", "error": "\(error.message.prefix(500))"])
            return .upstreamCredentialsRejected(provider: settings.name, status: status)
        }
        if status == 429 || status == 503 {
            error.retryAfterSeconds = RetryAfter.seconds(from: response.headers)
        }
        return error
    }
}

/// Writes trace propagation headers (W3C `traceparent`, `tracestate`) into an upstream request.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
