import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway

/// An answer, and the body to keep for a retry with the same key (nil when it cannot be replayed: a stream).
struct IdempotentAnswer {
    var response: Response
    var replayableBody: ByteBuffer?
}

/// `Idempotency-Key` on `POST /v1/responses` and `/v1/chat/completions`: a retried request with the same key,
/// from the same caller, within the window, gets the first answer instead of a second model call.
///
/// The key is claimed in shared storage before the model is called, so concurrent retries on any replica see it:
/// one still running gets 409; one with another body gets 422. A request that fails gives its key up, so it can be
/// retried; a stream cannot be replayed, so its key is given up when the stream starts.
struct IdempotencyGuard: Sendable {
    let store: (any IdempotencyStore)?
    /// How long an answer is kept for retries.
    var window: Duration = .seconds(24 * 3600)
    /// How long a claim without an answer holds (its request may have died with its replica).
    var pendingWindow: Duration = .seconds(600)

    static let header = HTTPField.Name("idempotency-key")!
    static let replayedHeader = HTTPField.Name("idempotent-replayed")!

    func respond(
        to request: Request, body: ByteBuffer, caller: Caller?, produce: () async throws -> IdempotentAnswer
    ) async throws -> Response {
        guard let store, let key = request.headers.value(of: Self.header) else { return try await produce().response }
        guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw GatewayError.badRequest("'Idempotency-Key' must be 1 to 255 visible ASCII characters.", code: "invalid_idempotency_key")
        }
        // Keys are each caller's own (not shared by a team), and per endpoint.
        let owner: String =
            switch caller {
            case .virtualKey(let grant)?: "key:" + grant.key.id
            default: "master"
            }
        let scope = owner + " " + request.uri.path
        let fingerprint = SecretDigest(of: String(buffer: body)).hex
        let now = Date()
        let existing = try await store.claimIdempotencyKey(
            scope: scope, key: key, fingerprint: fingerprint, now: now, expiredBefore: now.addingTimeInterval(-Double(window.components.seconds)),
            pendingExpiredBefore: now.addingTimeInterval(-Double(pendingWindow.components.seconds)))
        if let existing {
            guard existing.fingerprint == fingerprint else {
                throw GatewayError(
                    status: 422, kind: .invalidRequest, code: "idempotency_key_reused",
                    message: "This Idempotency-Key was used with a different request; use a new key for a new request.")
            }
            guard let status = existing.status else {
                throw GatewayError(
                    status: 409, kind: .invalidRequest, code: "idempotency_key_in_use",
                    message: "A request with this Idempotency-Key is still being answered; retry later.")
            }
            return Response(
                status: HTTPResponse.Status(code: status),
                headers: [.contentType: existing.contentType ?? "application/json", Self.replayedHeader: "true"],
                body: .init(byteBuffer: ByteBuffer(string: existing.body ?? "")))
        }
        let answer: IdempotentAnswer
        do {
            answer = try await produce()
        } catch {
            try? await store.releaseIdempotencyKey(scope: scope, key: key)
            throw error
        }
        if let body = answer.replayableBody {
            try? await store.completeIdempotencyKey(
                scope: scope, key: key, status: Int(answer.response.status.code),
                contentType: answer.response.headers[.contentType] ?? "application/json", body: String(buffer: body))
        } else {
            try? await store.releaseIdempotencyKey(scope: scope, key: key)
        }
        return answer.response
    }
}
