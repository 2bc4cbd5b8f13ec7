import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// AWS credentials for Signature Version 4.
struct AWSCredentials: Sendable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
}

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as AWS documents it for every service but S3.
struct AWSSignatureV4: Sendable {
    let credentials: AWSCredentials
    let region: String
    let service: String

    /// Adds `x-amz-date`, `x-amz-security-token` (with temporary credentials) and `authorization` to `headers`.
    /// - Parameters:
    ///   - url: the full request URL, path already percent-encoded as it is sent.
    func sign(method: String, url: String, headers: inout HTTPHeaders, body: ByteBuffer, date: Date = Date()) {
        let (host, path, query) = Self.split(url)
        let timestamp = Self.timestampFormatter.string(from: date)
        let day = String(timestamp.prefix(8))
        headers.replaceOrAdd(name: "x-amz-date", value: timestamp)
        if let token = credentials.sessionToken { headers.replaceOrAdd(name: "x-amz-security-token", value: token) }

        var signed: [(String, String)] = [("host", host)]
        for (name, value) in headers {
            let lowered = name.lowercased()
            if lowered == "content-type" || lowered.hasPrefix("x-amz-") { signed.append((lowered, value.trimmingCharacters(in: .whitespaces))) }
        }
        signed.sort { $0.0 < $1.0 }
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method,
            Self.canonicalPath(path),
            Self.canonicalQuery(query),
            signed.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            Self.hex(SHA256.hash(data: Array(body.readableBytesView))),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        headers.replaceOrAdd(
            name: "authorization",
            value: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
    }

    /// Host (with a non-default port, as the HTTP client sends it), path and query of `url`.
    static func split(_ url: String) -> (host: String, path: String, query: String) {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let hostEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        var host = String(afterScheme[..<hostEnd])
        if url.hasPrefix("https://"), host.hasSuffix(":443") { host.removeLast(4) }
        if url.hasPrefix("http://"), host.hasSuffix(":80") { host.removeLast(3) }
        let rest = afterScheme[hostEnd...]
        let queryStart = rest.firstIndex(of: "?")
        let path = String(rest[..<(queryStart ?? rest.endIndex)])
        let query = queryStart.map { String(rest[rest.index(after: $0)...]) } ?? ""
        return (host, path.isEmpty ? "/" : path, query)
    }

    /// Every path segment encoded once more: services other than S3 sign the already-encoded path encoded again.
    static func canonicalPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but unreserved characters, uppercase hex.
    static func uriEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                output.append(Character(UnicodeScalar(byte)))
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static let timestampFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()
}
