import NIOCore
import SwitchyardCore
import SwitchyardWire

extension UpstreamEndpoint {
    /// Reads a whole answer as JSON.
    func collectJSON(_ answer: Answer, context: UpstreamContext) async throws -> JSONValue {
        return try decodeAnswer(try await collect(answer, context: context))
    }

    /// `GET path`, its answer read whole as JSON (at most 16 MiB: a model list, not a stream).
    func getJSON(_ path: String, context: UpstreamContext) async throws -> JSONValue {
        let answer = try await get(path, context: context)
        return try decodeAnswer(try await collect(answer, context: context, limit: 16 << 20))
    }

    private func decodeAnswer(_ bytes: ByteBuffer) throws(GatewayError) -> JSONValue {
        do {
            return try JSONValue(decoding: bytes)
        } catch {
            throw .upstreamUnavailable("Provider '\(settings.name)' answered with a body that is not JSON.")
        }
    }
}
