import Crypto
import Foundation
import SwiftASN1
import X509

/// A private certificate authority made for one test run, and a server certificate it issued for loopback: what a
/// TLS upstream double presents, and what the gateway under test is told to trust (a provider's `ca_file`).
///
/// Made fresh each time, so no key or certificate is kept in the repository and none ever expires in it.
package struct LoopbackCertificateAuthority: Sendable {
    /// The authority's own certificate (PEM): the trust root a client needs.
    package let certificatePEM: String
    /// The server's certificate (PEM), valid for `localhost`, `127.0.0.1` and `::1`.
    package let serverCertificatePEM: String
    /// The server certificate's private key (PEM).
    package let serverPrivateKeyPEM: String

    package init() throws {
        let now = Date()
        let notValidBefore = now.addingTimeInterval(-3600)
        let notValidAfter = now.addingTimeInterval(7 * 24 * 3600)
        let authorityKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authorityName = try DistinguishedName { CommonName("Switchyard test authority") }
        let authority = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: authorityKey.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: authorityName,
            subject: authorityName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: authorityKey)

        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PrivateKey(serverKey).publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: authorityName,
            subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                ])
            },
            issuerPrivateKey: authorityKey)

        certificatePEM = try authority.serializeAsPEM().pemString
        serverCertificatePEM = try server.serializeAsPEM().pemString
        serverPrivateKeyPEM = serverKey.pemRepresentation
    }
}
