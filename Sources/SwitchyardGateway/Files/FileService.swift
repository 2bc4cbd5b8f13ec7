import Foundation
package import NIOCore
package import SwitchyardCore
package import SwitchyardTranslation
package import SwitchyardWire

/// The Files API for knowledge bases: text files (plain text, Markdown, HTML, JSON, CSV) uploaded, listed, read and
/// deleted per tenant.
package struct FileService: Sendable {
    package let store: any FileStore
    /// The largest file taken.
    package let maxBytes: Int
    let makeID: ResponsesIDMaker

    package static let purposes = ["assistants", "user_data"]

    /// The file types taken, by extension, with the content type `GET /v1/files/{id}/content` answers with.
    package static let contentTypes: [String: String] = [
        "txt": "text/plain; charset=utf-8", "text": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "json": "application/json", "jsonl": "application/jsonl", "csv": "text/csv; charset=utf-8",
    ]

    package init(store: any FileStore, maxBytes: Int, makeID: @escaping ResponsesIDMaker = { prefix in ResponsesService.randomID(prefix).replacingOccurrences(of: "_", with: "-") }) {
        self.store = store
        self.maxBytes = maxBytes
        self.makeID = makeID
    }

    package func create(_ upload: FileUpload, caller: Caller?) async throws -> JSONValue {
        guard let purpose = upload.purpose, Self.purposes.contains(purpose) else {
            throw GatewayError.badRequest("'purpose' must be one of: \(Self.purposes.joined(separator: ", ")).", param: "purpose")
        }
        // A name, not a path.
        let filename = String(upload.filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
        guard !filename.isEmpty, filename.utf8.count <= 256, filename.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) else {
            throw GatewayError.badRequest("The file needs a name of 1 to 256 bytes, without control characters.", param: "file")
        }
        let kind = Self.kind(of: filename)
        guard Self.contentTypes[kind] != nil else {
            throw GatewayError.badRequest(
                "Files of type '\(kind.isEmpty ? filename : "." + kind)' are not supported; upload text, Markdown, HTML, JSON or CSV "
                    + "(.txt, .md, .html, .json, .jsonl, .csv).", param: "file")
        }
        guard upload.content.readableBytes > 0 else { throw GatewayError.badRequest("The file is empty.", param: "file") }
        guard upload.content.readableBytes <= maxBytes else {
            throw GatewayError(
                status: 413, kind: .requestTooLarge, code: "file_too_large",
                message: "The file is \(upload.content.readableBytes) bytes; this gateway takes files of at most \(maxBytes) bytes.", param: "file")
        }
        let bytes = Array(upload.content.readableBytesView)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GatewayError.badRequest("The file is not UTF-8 text.", param: "file")
        }
        try Self.check(text, kind: kind)
        let file = StoredFile(
            id: makeID("file"), scope: caller.tenantScope, filename: filename, purpose: purpose, content: Data(bytes), createdAt: Date())
        try await store.insertFile(file)
        return Self.json(file)
    }

    /// A page of the caller's files: `purpose`, `after` a file id, `limit`, newest first unless `ascending`.
    package func list(purpose: String?, after: String?, limit: Int, ascending: Bool, caller: Caller?) async throws -> JSONValue {
        if let purpose, !Self.purposes.contains(purpose) {
            throw GatewayError.badRequest("'purpose' must be one of: \(Self.purposes.joined(separator: ", ")).", param: "purpose")
        }
        let scope = caller.tenantReadScope
        if let after, !after.isStorableName {
            throw GatewayError.badRequest("'after' names no file.", param: "after")
        }
        if let after, try await store.file(id: after, scope: scope, withContent: false) == nil {
            throw GatewayError.badRequest("'after' names no file.", param: "after")
        }
        let page = try await store.files(scope: scope, purpose: purpose, after: after, limit: limit + 1, ascending: ascending)
        return ListPage.json(page.prefix(limit).map(Self.json), hasMore: page.count > limit)
    }

    package func retrieve(_ id: String, caller: Caller?) async throws -> JSONValue {
        Self.json(try await file(id, caller: caller, withContent: false))
    }

    /// The file's bytes and the content type they are served with.
    package func content(_ id: String, caller: Caller?) async throws -> (ByteBuffer, String) {
        let file = try await file(id, caller: caller, withContent: true)
        return (ByteBuffer(bytes: file.content), Self.contentTypes[Self.kind(of: file.filename)] ?? "application/octet-stream")
    }

    package func delete(_ id: String, caller: Caller?) async throws -> JSONValue {
        guard id.isStorableName, try await store.deleteFile(id: id, scope: caller.tenantReadScope) else { throw Self.notFound(id) }
        return ["id": .string(id), "object": "file", "deleted": true]
    }

    /// The file `id` of the caller's tenant, else 404 (another tenant's too).
    package func file(_ id: String, caller: Caller?, withContent: Bool) async throws -> StoredFile {
        guard id.isStorableName, let file = try await store.file(id: id, scope: caller.tenantReadScope, withContent: withContent) else {
            throw Self.notFound(id)
        }
        return file
    }

    static func kind(of filename: String) -> String {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return "" }
        return filename[filename.index(after: dot)...].lowercased()
    }

    /// JSON must parse; JSON Lines must parse line by line.
    static func check(_ text: String, kind: String) throws(GatewayError) {
        switch kind {
        case "json":
            guard (try? JSONValue(decoding: text)) != nil else { throw .badRequest("The file is not valid JSON.", param: "file") }
        case "jsonl":
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard (try? JSONValue(decoding: String(line))) != nil else {
                    throw .badRequest("Line \(number + 1) of the file is not valid JSON.", param: "file")
                }
            }
        default:
            break
        }
    }

    static func json(_ file: StoredFile) -> JSONValue {
        [
            "id": .string(file.id), "object": "file", "bytes": .integer(Int64(file.bytes)),
            "created_at": .integer(Int64(file.createdAt.timeIntervalSince1970)), "filename": .string(file.filename),
            "purpose": .string(file.purpose), "status": "processed", "status_details": nil, "expires_at": nil,
        ]
    }

    static func notFound(_ id: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "file_not_found", message: "No file '\(id)' was found.")
    }
}
