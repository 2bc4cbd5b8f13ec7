import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Files")
struct FilesTests {
    static let boundary = "----switchyard-test-7MA4YWxkTrZu0gW"

    /// A multipart/form-data body with a `file` part (when `filename` is given) and a `purpose` part (when given).
    static func form(filename: String?, content: String, purpose: String?) -> String {
        var body = ""
        if let purpose { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\(purpose)\r\n" }
        if let filename {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: text/plain\r\n\r\n\(content)\r\n"
        }
        return body + "--\(boundary)--\r\n"
    }

    static func upload(
        _ gateway: GatewayClient, filename: String? = "notes.md", content: String = "# Notes\nThe launch is on Tuesday.", purpose: String? = "assistants",
        key: String = GatewayHarness.masterKey, contentType: String = "multipart/form-data; boundary=\(boundary)"
    ) async throws -> GatewayClient.Reply {
        try await gateway.request("/v1/files", body: form(filename: filename, content: content, purpose: purpose), key: key, headers: [("content-type", contentType)])
    }

    @Test("upload, list, retrieve, read the content, delete: the shapes the openai SDK reads")
    func lifecycle() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let created = try await Self.upload(gateway)
            #expect(created.status == 200, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("file-"))
            #expect(created.json["object"] as? String == "file")
            #expect(created.json["bytes"] as? Int == "# Notes\nThe launch is on Tuesday.".utf8.count)
            #expect(created.json["filename"] as? String == "notes.md")
            #expect(created.json["purpose"] as? String == "assistants")
            #expect(created.json["status"] as? String == "processed")

            let second = try await Self.upload(gateway, filename: "table.csv", content: "a,b\n1,2\n", purpose: "user_data")
            #expect(second.status == 200, "\(second.body)")
            let listed = try await gateway.request(.GET, "/v1/files")
            let ids = (listed.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [try #require(second.json["id"] as? String), id], "newest first")
            let assistants = try await gateway.request(.GET, "/v1/files?purpose=assistants")
            #expect((assistants.json["data"] as? [[String: Any]])?.count == 1)
            let firstPage = try await gateway.request(.GET, "/v1/files?limit=1&order=asc")
            #expect((firstPage.json["data"] as? [[String: Any]])?.first?["id"] as? String == id)
            #expect(firstPage.json["has_more"] as? Bool == true)
            let nextPage = try await gateway.request(.GET, "/v1/files?limit=1&order=asc&after=\(id)")
            #expect((nextPage.json["data"] as? [[String: Any]])?.first?["id"] as? String == second.json["id"] as? String)
            #expect(nextPage.json["has_more"] as? Bool == false)

            #expect(try await gateway.request(.GET, "/v1/files/\(id)").json["filename"] as? String == "notes.md")
            let content = try await gateway.request(.GET, "/v1/files/\(id)/content")
            #expect(content.body == "# Notes\nThe launch is on Tuesday.")
            #expect(content.headers.first(name: "content-type")?.hasPrefix("text/markdown") == true)

            let deleted = try await gateway.request(.DELETE, "/v1/files/\(id)")
            #expect(deleted.json["deleted"] as? Bool == true)
            for path in ["/v1/files/\(id)", "/v1/files/\(id)/content"] {
                let gone = try await gateway.request(.GET, path)
                #expect(gone.status == 404 && gone.errorCode == "file_not_found")
            }
            #expect(try await gateway.request(.DELETE, "/v1/files/\(id)").status == 404)
        }
    }

    @Test("bad uploads and queries are 400 (413 for a file over the limit) naming the problem; nothing is stored")
    func badInput() async throws {
        let yaml = "knowledge: {max_file_bytes: 64}\n" + GatewayHarness.singleModel
        try await GatewayHarness.withGateway(yaml: yaml) { gateway in
            let cases: [(reply: GatewayClient.Reply, status: Int, mentions: String)] = [
                (try await Self.upload(gateway, purpose: nil), 400, "purpose"),
                (try await Self.upload(gateway, purpose: "fine-tune"), 400, "purpose"),
                (try await Self.upload(gateway, filename: nil), 400, "file"),
                (try await Self.upload(gateway, filename: "report.pdf"), 400, ".pdf"),
                (try await Self.upload(gateway, filename: "noextension"), 400, "not supported"),
                (try await Self.upload(gateway, content: ""), 400, "empty"),
                (try await Self.upload(gateway, filename: "data.json", content: "{not json"), 400, "JSON"),
                (try await Self.upload(gateway, filename: "rows.jsonl", content: "{}\n{oops"), 400, "Line 2"),
                (try await Self.upload(gateway, content: String(repeating: "x", count: 65)), 413, "64 bytes"),
                (try await Self.upload(gateway, contentType: "application/json"), 400, "multipart"),
                (try await Self.upload(gateway, contentType: "multipart/form-data"), 400, "boundary"),
                (try await gateway.request(.GET, "/v1/files?limit=0"), 400, "limit"),
                (try await gateway.request(.GET, "/v1/files?order=up"), 400, "order"),
                (try await gateway.request(.GET, "/v1/files?after=file-missing"), 400, "after"),
                (try await gateway.request(.GET, "/v1/files?purpose=batch"), 400, "purpose"),
            ]
            for (index, item) in cases.enumerated() {
                #expect(item.reply.status == item.status, "case \(index): \(item.reply.status) \(item.reply.body)")
                #expect(item.reply.errorMessage.contains(item.mentions), "case \(index): \(item.reply.errorMessage)")
            }
            #expect((try await gateway.request(.GET, "/v1/files").json["data"] as? [[String: Any]])?.isEmpty == true)
            // A path in the name keeps only its last component; HTML is taken.
            let html = try await Self.upload(gateway, filename: "../../etc/page.html", content: "<p>Hello</p>")
            #expect(html.status == 200 && html.json["filename"] as? String == "page.html", "\(html.body)")
        }
    }

    @Test("files are the tenant's: another team gets 404 on every path and sees none; the master key reads and deletes them")
    func tenants() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let red = try #require(try await gateway.request("/admin/teams", body: #"{"name":"red"}"#).json["id"] as? String)
            let blue = try #require(try await gateway.request("/admin/teams", body: #"{"name":"blue"}"#).json["id"] as? String)
            let redKey = try await gateway.createKey(#"{"name":"red-1","team":"\#(red)"}"#).secret
            let redMate = try await gateway.createKey(#"{"name":"red-2","team":"\#(red)"}"#).secret
            let blueKey = try await gateway.createKey(#"{"name":"blue-1","team":"\#(blue)"}"#).secret
            let id = try #require(try await Self.upload(gateway, key: redKey).json["id"] as? String)
            #expect(try await gateway.request(.GET, "/v1/files/\(id)/content", key: redMate).status == 200)
            for (method, path) in [(HTTPMethod.GET, "/v1/files/\(id)"), (.GET, "/v1/files/\(id)/content"), (.DELETE, "/v1/files/\(id)")] {
                #expect(try await gateway.request(method, path, key: blueKey).status == 404, "\(method) \(path)")
            }
            #expect((try await gateway.request(.GET, "/v1/files", key: blueKey).json["data"] as? [[String: Any]])?.isEmpty == true)
            #expect((try await gateway.request(.GET, "/v1/files").json["data"] as? [[String: Any]])?.count == 1, "the master key lists every tenant's")
            #expect(try await gateway.request(.DELETE, "/v1/files/\(id)").status == 200)
            #expect(try await gateway.request(.GET, "/v1/files/\(id)", key: redKey).status == 404)
        }
    }
}
