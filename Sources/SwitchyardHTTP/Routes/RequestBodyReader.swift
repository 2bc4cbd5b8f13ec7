import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// Reads a request body up to the configured limit, rejecting a larger one as soon as it is known to be too
/// large: from its Content-Length before reading, or from its length once read (the server reads a body whole, and
/// stops one byte past the limit), or while it streams in (a request that did not come through the server).
enum RequestBodyReader {
    /// Reads the body of a request to a route, taking it from `context` when the server read it whole; the request's
    /// journal keeps a copy for the request log (when body capture is on).
    static func read(_ request: Request, context: GatewayRequestContext, limit: Int) async throws -> ByteBuffer {
        try await read(request, limit: limit, capturingInto: context.journal, whole: context.body)
    }

    /// Reads the body; `journal`, when given, keeps a copy for the request log (when body capture is on). `whole`
    /// is the body already read, when the server read it.
    static func read(
        _ request: Request, limit: Int, capturingInto journal: RequestJournal? = nil, whole: ByteBuffer? = nil
    ) async throws -> ByteBuffer {
        // The server did not read this body (no room for it, or no accepted key when it arrived).
        if let refused = request.headers.value(of: .bodyRefused), let refusal = BodyRefusal(rawValue: refused) { throw refusal.error }
        if let declared = request.headers.value(of: .contentLength).flatMap(Int.init), declared > limit {
            throw GatewayError.bodyTooLarge(limit: limit)
        }
        if let whole {
            guard whole.readableBytes <= limit else { throw GatewayError.bodyTooLarge(limit: limit) }
            journal?.captureRequest(whole)
            return whole
        }
        do {
            let body = try await request.body.collect(upTo: limit)
            journal?.captureRequest(body)
            return body
        } catch is NIOTooManyBytesError {
            throw GatewayError.bodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw GatewayError.bodyTooLarge(limit: limit)
        }
    }
}
