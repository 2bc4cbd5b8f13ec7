import Foundation
package import SwitchyardCore
package import SwitchyardTranslation
package import SwitchyardWire

/// The Vector Stores API (OpenAI's subset): stores created, listed, read, renamed and deleted; files added with a
/// chunking strategy and attributes, listed, read and removed; and search. Stores are the caller's tenant's; the
/// master key reads and deletes any tenant's. Files are ingested off the request path: a file added is
/// `in_progress` until ``KnowledgeIngestor`` has chunked and embedded it.
package struct VectorStoreService: Sendable {
    package let knowledge: KnowledgeBase
    let makeID: ResponsesIDMaker

    /// The most files one request adds.
    static let maximumFilesPerRequest = 500

    package init(knowledge: KnowledgeBase, makeID: @escaping ResponsesIDMaker = ResponsesService.randomID) {
        self.knowledge = knowledge
        self.makeID = makeID
    }

    var store: any KnowledgeStore { knowledge.store }

    // MARK: Stores

    package func create(_ body: JSONValue, caller: Caller?) async throws -> JSONValue {
        guard body.object != nil else { throw GatewayError.badRequest("The request body must be a JSON object.") }
        let name = try Self.name(body["name"])
        let metadata = try ConversationMetadata.read(body["metadata"])
        if let expiry = body["expires_after"], !expiry.isNull {
            throw GatewayError.badRequest("'expires_after' is not supported: vector stores are kept until deleted.", param: "expires_after")
        }
        let chunking = try Self.chunking(body["chunking_strategy"])
        let fileIDs = try Self.fileIDs(body["file_ids"])
        let scope = caller.tenantScope
        var added: [StoredFile] = []
        for fileID in fileIDs { added.append(try await file(fileID, scope: scope, caller: caller, param: "file_ids")) }
        let created = StoredVectorStore(id: makeID("vs"), scope: scope, name: name, metadata: metadata, createdAt: Date())
        try await store.insertVectorStore(created)
        for file in added { try await add(file, to: created, chunking: chunking, attributes: [:], caller: caller) }
        return try await json(created)
    }

    /// A page of the caller's stores: `after` a store id, `limit`, newest first unless `ascending`.
    package func list(after: String?, limit: Int, ascending: Bool, caller: Caller?) async throws -> JSONValue {
        let scope = caller.tenantReadScope
        if let after {
            let anchor = after.isStorableName ? try await store.vectorStore(id: after, scope: scope) : nil
            if anchor == nil { throw GatewayError.badRequest("'after' names no vector store.", param: "after") }
        }
        let page = try await store.vectorStores(scope: scope, after: after, limit: limit + 1, ascending: ascending)
        let stores = Array(page.prefix(limit))
        let totals = try await store.vectorStoreTotals(ids: stores.map(\.id))
        return ListPage.json(stores.map { Self.json($0, totals: totals[$0.id]) }, hasMore: page.count > limit)
    }

    package func retrieve(_ id: String, caller: Caller?) async throws -> JSONValue {
        try await json(try await knowledge.vectorStore(id, caller: caller))
    }

    /// Renames a store or replaces its metadata.
    package func update(_ id: String, _ body: JSONValue, caller: Caller?) async throws -> JSONValue {
        guard body.object != nil else { throw GatewayError.badRequest("The request body must be a JSON object.") }
        var stored = try await knowledge.vectorStore(id, caller: caller)
        if let name = body["name"], !name.isNull { stored.name = try Self.name(name) }
        if let metadata = body["metadata"], !metadata.isNull { stored.metadata = try ConversationMetadata.read(metadata) }
        if let expiry = body["expires_after"], !expiry.isNull {
            throw GatewayError.badRequest("'expires_after' is not supported: vector stores are kept until deleted.", param: "expires_after")
        }
        try await store.updateVectorStore(stored)
        return try await json(stored)
    }

    package func delete(_ id: String, caller: Caller?) async throws -> JSONValue {
        guard id.isStorableName, try await store.deleteVectorStore(id: id, scope: caller.tenantReadScope) else {
            throw GatewayError(status: 404, kind: .notFound, code: "vector_store_not_found", message: "No vector store '\(id)' was found.")
        }
        knowledge.index.forget(id)
        return ["id": .string(id), "object": "vector_store.deleted", "deleted": true]
    }

    // MARK: Files

    /// Adds a file (`file_id`, `chunking_strategy`, `attributes`); a file the store holds already is answered as it is.
    package func addFile(to id: String, _ body: JSONValue, caller: Caller?) async throws -> JSONValue {
        let stored = try await knowledge.vectorStore(id, caller: caller)
        guard let fileID = body["file_id"]?.string else { throw GatewayError.badRequest("'file_id' is required.", param: "file_id") }
        let chunking = try Self.chunking(body["chunking_strategy"])
        let attributes = try Self.attributes(body["attributes"])
        let file = try await file(fileID, scope: stored.scope, caller: caller, param: "file_id")
        try await add(file, to: stored, chunking: chunking, attributes: attributes, caller: caller)
        return Self.json(try await storeFile(fileID, in: stored))
    }

    /// A page of a store's files: `filter` a status, `after` a file id, `limit`, newest first unless `ascending`.
    package func listFiles(in id: String, filter: String?, after: String?, limit: Int, ascending: Bool, caller: Caller?) async throws -> JSONValue {
        let stored = try await knowledge.vectorStore(id, caller: caller)
        var status: VectorStoreFile.Status?
        if let filter, filter != "cancelled" {
            guard let known = VectorStoreFile.Status(rawValue: filter) else {
                throw GatewayError.badRequest("'filter' must be in_progress, completed, failed or cancelled.", param: "filter")
            }
            status = known
        }
        if filter == "cancelled" { return ListPage.json([], hasMore: false) }
        if let after {
            let anchor = after.isStorableName ? try await store.vectorStoreFile(storeID: stored.id, fileID: after) : nil
            if anchor == nil { throw GatewayError.badRequest("'after' names no file of the vector store.", param: "after") }
        }
        let page = try await store.vectorStoreFiles(storeID: stored.id, status: status, after: after, limit: limit + 1, ascending: ascending)
        return ListPage.json(page.prefix(limit).map(Self.json), hasMore: page.count > limit)
    }

    package func retrieveFile(_ fileID: String, in id: String, caller: Caller?) async throws -> JSONValue {
        Self.json(try await storeFile(fileID, in: try await knowledge.vectorStore(id, caller: caller)))
    }

    /// Replaces a file's `attributes`.
    package func updateFile(_ fileID: String, in id: String, _ body: JSONValue, caller: Caller?) async throws -> JSONValue {
        let stored = try await knowledge.vectorStore(id, caller: caller)
        guard let value = body["attributes"] else { throw GatewayError.badRequest("'attributes' is required.", param: "attributes") }
        let attributes = try Self.attributes(value)
        guard fileID.isStorableName, try await store.updateVectorStoreFileAttributes(storeID: stored.id, fileID: fileID, attributes: attributes) else {
            throw Self.fileNotFound(fileID, in: stored.id)
        }
        return Self.json(try await storeFile(fileID, in: stored))
    }

    /// Removes a file from the store (the file itself stays in the Files API).
    package func deleteFile(_ fileID: String, in id: String, caller: Caller?) async throws -> JSONValue {
        let stored = try await knowledge.vectorStore(id, caller: caller)
        guard fileID.isStorableName, try await store.deleteVectorStoreFile(storeID: stored.id, fileID: fileID) else {
            throw Self.fileNotFound(fileID, in: stored.id)
        }
        return ["id": .string(fileID), "object": "vector_store.file.deleted", "deleted": true]
    }

    // MARK: Search

    package func search(_ id: String, _ body: JSONValue, caller: Caller?, context: UpstreamContext) async throws -> JSONValue {
        let stored = try await knowledge.vectorStore(id, caller: caller)
        let query = try KnowledgeQuery(body)
        try knowledge.check(query)
        let results = try await knowledge.search([stored], query: query, caller: caller, context: context)
        return [
            "object": "vector_store.search_results.page", "search_query": [.string(query.text)], "data": .array(results.map(\.json)),
            "has_more": false, "next_page": nil,
        ]
    }

    // MARK: Parts

    /// A file of `scope` from the Files API, else 404.
    func file(_ id: String, scope: String, caller: Caller?, param: String) async throws -> StoredFile {
        guard id.isStorableName, let file = try await knowledge.files.file(id: id, scope: scope, withContent: false) else {
            throw GatewayError(status: 404, kind: .notFound, code: "file_not_found", message: "No file '\(id)' was found.", param: param)
        }
        return file
    }

    func add(_ file: StoredFile, to stored: StoredVectorStore, chunking: (Int, Int), attributes: [String: JSONValue], caller: Caller?) async throws {
        var keyID: String?
        if case .virtualKey(let grant)? = caller { keyID = grant.key.id }
        let added = VectorStoreFile(
            storeID: stored.id, fileID: file.id, filename: file.filename, status: .inProgress, maxChunkTokens: chunking.0, overlapTokens: chunking.1,
            attributes: attributes, keyID: keyID, createdAt: Date())
        if try await store.insertVectorStoreFile(added) { knowledge.enqueue(KnowledgeBase.Job(storeID: stored.id, fileID: file.id)) }
    }

    func storeFile(_ fileID: String, in stored: StoredVectorStore) async throws -> VectorStoreFile {
        guard fileID.isStorableName, let file = try await store.vectorStoreFile(storeID: stored.id, fileID: fileID) else {
            throw Self.fileNotFound(fileID, in: stored.id)
        }
        return file
    }

    func json(_ stored: StoredVectorStore) async throws -> JSONValue {
        Self.json(stored, totals: try await store.vectorStoreTotals(ids: [stored.id])[stored.id])
    }

    static func json(_ stored: StoredVectorStore, totals: (counts: [VectorStoreFile.Status: Int], usageBytes: Int)?) -> JSONValue {
        let counts = totals?.counts ?? [:]
        let created = JSONValue.integer(Int64(stored.createdAt.timeIntervalSince1970))
        return [
            "id": .string(stored.id), "object": "vector_store", "created_at": created, "name": .string(stored.name),
            "usage_bytes": .integer(Int64(totals?.usageBytes ?? 0)),
            "file_counts": [
                "in_progress": .integer(Int64(counts[.inProgress] ?? 0)), "completed": .integer(Int64(counts[.completed] ?? 0)),
                "failed": .integer(Int64(counts[.failed] ?? 0)), "cancelled": 0, "total": .integer(Int64(counts.values.reduce(0, +))),
            ],
            "status": (counts[.inProgress] ?? 0) > 0 ? "in_progress" : "completed", "expires_after": nil, "expires_at": nil,
            "last_active_at": created, "metadata": .object(stored.metadata.mapValues(JSONValue.string)),
        ]
    }

    static func json(_ file: VectorStoreFile) -> JSONValue {
        [
            "id": .string(file.fileID), "object": "vector_store.file", "usage_bytes": .integer(Int64(file.usageBytes)),
            "created_at": .integer(Int64(file.createdAt.timeIntervalSince1970)), "vector_store_id": .string(file.storeID),
            "status": .string(file.status.rawValue),
            "last_error": file.lastError.map { ["code": "server_error", "message": .string($0)] } ?? .null,
            "chunking_strategy": [
                "type": "static",
                "static": ["max_chunk_size_tokens": .integer(Int64(file.maxChunkTokens)), "chunk_overlap_tokens": .integer(Int64(file.overlapTokens))],
            ],
            "attributes": .object(file.attributes),
        ]
    }

    static func fileNotFound(_ fileID: String, in storeID: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "file_not_found", message: "No file '\(fileID)' is in vector store '\(storeID)'.")
    }

    // MARK: Reading requests

    static func name(_ value: JSONValue?) throws(GatewayError) -> String {
        guard let value, !value.isNull else { return "" }
        guard let name = value.string, name.utf8.count <= 256, name.isStorableName else {
            throw .badRequest("'name' must be a string of at most 256 bytes.", param: "name")
        }
        return name
    }

    static func fileIDs(_ value: JSONValue?) throws(GatewayError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.array, items.count <= maximumFilesPerRequest else {
            throw .badRequest("'file_ids' must be a list of at most \(maximumFilesPerRequest) file ids.", param: "file_ids")
        }
        var ids: [String] = []
        for item in items {
            guard let id = item.string else { throw .badRequest("'file_ids' must be a list of file ids.", param: "file_ids") }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// Tokens per chunk and overlap: `auto` (800 and 400), or `static` with `max_chunk_size_tokens` (100 to 4096)
    /// and `chunk_overlap_tokens` (at most half of it).
    static func chunking(_ value: JSONValue?) throws(GatewayError) -> (Int, Int) {
        let automatic = (TextChunker.automatic.maxTokens, TextChunker.automatic.overlapTokens)
        guard let value, !value.isNull else { return automatic }
        switch value["type"]?.string {
        case "auto"?:
            return automatic
        case "static"?:
            guard let size = value["static"]?["max_chunk_size_tokens"]?.int, (100...4096).contains(size) else {
                throw .badRequest(
                    "'chunking_strategy.static.max_chunk_size_tokens' must be an integer from 100 to 4096.",
                    param: "chunking_strategy.static.max_chunk_size_tokens")
            }
            guard let overlap = value["static"]?["chunk_overlap_tokens"]?.int, overlap >= 0, overlap <= size / 2 else {
                throw .badRequest(
                    "'chunking_strategy.static.chunk_overlap_tokens' must be an integer from 0 to half of max_chunk_size_tokens.",
                    param: "chunking_strategy.static.chunk_overlap_tokens")
            }
            return (size, overlap)
        default:
            throw .badRequest("'chunking_strategy.type' must be auto or static.", param: "chunking_strategy.type")
        }
    }

    /// At most 16 attributes, keys of up to 64 characters, values strings of up to 512 characters, numbers or booleans.
    static func attributes(_ value: JSONValue?) throws(GatewayError) -> [String: JSONValue] {
        guard let value, !value.isNull else { return [:] }
        guard let members = value.object, members.count <= 16 else {
            throw .badRequest("'attributes' must be an object of at most 16 keys.", param: "attributes")
        }
        for (key, member) in members {
            guard !key.isEmpty, key.unicodeScalars.count <= 64, key.isStorableName else {
                throw .badRequest("'attributes' keys must be 1 to 64 characters.", param: "attributes")
            }
            switch member {
            case .string(let text) where text.unicodeScalars.count <= 512 && text.isStorableName:
                continue
            case .number, .integer, .bool:
                continue
            default:
                throw .badRequest(
                    "'attributes.\(key)' must be a string of at most 512 characters, a number or a boolean.", param: "attributes.\(key)")
            }
        }
        return members
    }
}
