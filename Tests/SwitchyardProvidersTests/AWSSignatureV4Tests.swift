import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import SwitchyardProviders

@Suite("AWS Signature Version 4")
struct AWSSignatureV4Tests {
    // Reference signatures computed with botocore's SigV4Auth for the same request, credentials and time.
    static let url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    static let date = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    @Test("long-term credentials", arguments: [
        (nil as String?, "content-type;host;x-amz-date", "00001c28365369e90d177ba030dcfa9ba55f068175e8713b4181ba099b896653"),
        ("SESSIONTOKEN", "content-type;host;x-amz-date;x-amz-security-token", "28ac26042ffc42b611083ff883383affcfdbab116ab32b409fcb7d29518ead40"),
    ])
    func matchesReference(token: String?, signedHeaders: String, signature: String) {
        let signer = AWSSignatureV4(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token),
            region: "us-east-1", service: "bedrock")
        var headers: HTTPHeaders = ["content-type": "application/json"]
        signer.sign(method: "POST", url: Self.url, headers: &headers, body: ByteBuffer(string: #"{"messages":[]}"#), date: Self.date)
        #expect(headers.first(name: "x-amz-date") == "20250101T000000Z")
        #expect(
            headers.first(name: "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)")
        #expect(headers.first(name: "x-amz-security-token") == token)
    }

    @Test("paths are encoded twice, hosts keep non-default ports")
    func canonicalForms() {
        #expect(AWSSignatureV4.canonicalPath("/model/a%3A0/converse") == "/model/a%253A0/converse")
        #expect(AWSSignatureV4.split("http://127.0.0.1:8080/model/x?b=2&a=1").host == "127.0.0.1:8080")
        #expect(AWSSignatureV4.split("https://example.com:443/p").host == "example.com")
        #expect(AWSSignatureV4.canonicalQuery("b=2&a=1%2F") == "a=1%2F&b=2")
    }
}
