import Foundation
import HummingbirdCore
import NIOSSL

extension UpstreamDouble {
    /// Runs the upstream over TLS on an ephemeral loopback port for the duration of `body`, offering HTTP/2 and
    /// HTTP/1.1 by ALPN, as a real HTTPS upstream does. Its certificate is issued by a ``LoopbackCertificateAuthority``
    /// made for this run. `body` gets the base URL (`https://127.0.0.1:PORT/v1`) and the path of a PEM file holding
    /// the authority's certificate, for a provider's `ca_file`; the file is removed afterwards.
    ///
    /// Each request records the protocol it came over in ``RecordedRequest/httpVersion``.
    package func runTLS<T: Sendable>(_ body: (_ baseURL: String, _ caFile: String) async throws -> T) async throws -> T {
        let authority = try LoopbackCertificateAuthority()
        let certificate = try NIOSSLCertificate(bytes: Array(authority.serverCertificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(authority.serverPrivateKeyPEM.utf8), format: .pem)
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-test-ca-\(UUID().uuidString).pem")
        try Data(authority.certificatePEM.utf8).write(to: caFile)
        defer { try? FileManager.default.removeItem(at: caFile) }
        return try await run(server: .shutdownSafeHTTP2Upgrade(tlsConfiguration: tls), scheme: "https") { baseURL in
            try await body(baseURL, caFile.path)
        }
    }
}
