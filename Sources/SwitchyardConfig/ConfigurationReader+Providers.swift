import Foundation
import SwitchyardCore
import Yams

extension ConfigurationReader {
    mutating func readProviders(_ node: Node?) -> [ProviderSettings] {
        var providers: [ProviderSettings] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "providers").enumerated() {
            let path = "providers[\(index)]"
            let allowed = [
                "name", "type", "base_url", "api_key", "headers", "timeout_seconds", "stream_idle_timeout_seconds",
                "connect_timeout_seconds", "total_timeout_seconds", "http2", "api_version", "region", "aws_access_key_id",
                "aws_secret_access_key", "aws_session_token", "ca_file",
            ]
            guard let members = mapping(item, at: path, allowed: allowed) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name {
                if !seen.insert(name).inserted { problem("\(path).name", "another provider is already named \"\(name)\"") }
            }
            let kind = members["type"] == nil ? nil : choice(members["type"], at: "\(path).type", as: ProviderKind.self)
            if members["type"] == nil { problem("\(path).type", "is required") }
            let region = string(members["region"], at: "\(path).region")
            var baseURL = readBaseURL(members["base_url"], at: "\(path).base_url", kind: kind)
            if kind == .bedrock, baseURL == nil, members["base_url"] == nil {
                if let region {
                    baseURL = "https://bedrock-runtime.\(region).amazonaws.com"
                } else {
                    problem("\(path).region", "is required for type bedrock (or give base_url)")
                }
            }
            var aws: ProviderSettings.AWSKeys?
            let accessKey = string(members["aws_access_key_id"], at: "\(path).aws_access_key_id")
            let secretKey = string(members["aws_secret_access_key"], at: "\(path).aws_secret_access_key")
            if let accessKey, let secretKey {
                aws = .init(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: string(members["aws_session_token"], at: "\(path).aws_session_token"))
            } else if (accessKey == nil) != (secretKey == nil) {
                problem("\(path).aws_secret_access_key", "aws_access_key_id and aws_secret_access_key go together")
            }
            if kind == .bedrock, aws == nil, members["api_key"] == nil, region != nil {
                problem("\(path).aws_access_key_id", "type bedrock needs aws_access_key_id and aws_secret_access_key, or api_key")
            }
            var timeouts = UpstreamTimeouts()
            if let value = seconds(members["timeout_seconds"], at: "\(path).timeout_seconds") { timeouts.firstByte = value }
            if let value = seconds(members["stream_idle_timeout_seconds"], at: "\(path).stream_idle_timeout_seconds") {
                timeouts.streamIdle = value
            }
            if let value = seconds(members["connect_timeout_seconds"], at: "\(path).connect_timeout_seconds") { timeouts.connect = value }
            timeouts.total = seconds(members["total_timeout_seconds"], at: "\(path).total_timeout_seconds")
            let headers = readHeaders(members["headers"], at: "\(path).headers")
            let http2 = bool(members["http2"], at: "\(path).http2") ?? false
            if http2, let baseURL, !baseURL.hasPrefix("https://") {
                problem("\(path).http2", "HTTP/2 is negotiated over TLS only; base_url must start with https://")
            }
            let caCertificates = readCertificateBundle(members["ca_file"], at: "\(path).ca_file")
            if caCertificates != nil, let baseURL, !baseURL.hasPrefix("https://") {
                warning("\(path).ca_file", "has no effect: certificates are checked over TLS only, and base_url is not https://")
            }
            if kind != nil, kind != .bedrock, baseURL == nil, members["base_url"] == nil {
                problem("\(path).base_url", "is required for type \(kind!.rawValue)")
            }
            let apiVersion = string(members["api_version"], at: "\(path).api_version") ?? kind?.defaultAPIVersion
            guard let name, let kind, let baseURL else { continue }
            providers.append(
                ProviderSettings(
                    name: name, kind: kind, baseURL: baseURL, apiKey: string(members["api_key"], at: "\(path).api_key"),
                    headers: headers, timeouts: timeouts, http2: http2, apiVersion: apiVersion, region: region, aws: aws,
                    caCertificatesPEM: caCertificates))
        }
        return providers
    }

    /// The text of the PEM file named at `path` (relative to the working directory), checked to hold one or more
    /// certificates and nothing malformed between their BEGIN and END lines.
    private mutating func readCertificateBundle(_ node: Node?, at path: String) -> String? {
        guard let file = string(node, at: path) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            problem(path, "cannot read '\(file)': \(error.localizedDescription)")
            return nil
        }
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var count = 0
        var rest = text
        while let opening = rest.range(of: begin) {
            guard let closing = rest.range(of: end, range: opening.upperBound..<rest.endIndex) else {
                problem(path, "'\(file)': certificate \(count + 1) has no '\(end)' line")
                return nil
            }
            let body = rest[opening.upperBound..<closing.lowerBound].filter { !$0.isWhitespace }
            // A certificate is a DER SEQUENCE: its first byte is 0x30.
            guard let der = Data(base64Encoded: String(body)), der.first == 0x30 else {
                problem(path, "'\(file)': certificate \(count + 1) is not valid base64-encoded DER")
                return nil
            }
            count += 1
            rest = String(rest[closing.upperBound...])
        }
        guard count > 0 else {
            problem(path, "'\(file)' holds no PEM certificate (a '\(begin)' block)")
            return nil
        }
        return text
    }

    private mutating func readBaseURL(_ node: Node?, at path: String, kind: ProviderKind?) -> String? {
        guard let text = string(node, at: path) ?? kind?.defaultBaseURL else { return nil }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        let scheme = url.prefix(while: { $0 != ":" })
        guard scheme == "http" || scheme == "https", url.dropFirst(scheme.count).hasPrefix("://"),
            url.count > scheme.count + 3
        else {
            problem(path, "expected an http:// or https:// URL, got '\(text)'")
            return nil
        }
        return url
    }

    private mutating func readHeaders(_ node: Node?, at path: String) -> [(name: String, value: String)] {
        guard let node, !isNull(node) else { return [] }
        guard case .mapping(let mapping) = node else {
            problem(path, "expected a mapping of header names to values")
            return []
        }
        var headers: [(name: String, value: String)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { continue }
            let headerPath = join(path, key.string)
            let name = key.string
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                problem(headerPath, "'\(name)' is not a valid header name")
                continue
            }
            if ["host", "content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
                problem(headerPath, "the gateway sets '\(name)' itself")
                continue
            }
            let value = string(valueNode, at: headerPath) ?? ""
            if value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                problem(headerPath, "header values cannot contain line breaks")
                continue
            }
            headers.append((name, value))
        }
        return headers
    }
}
