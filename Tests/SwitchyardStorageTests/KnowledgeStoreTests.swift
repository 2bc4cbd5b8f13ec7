import Foundation
import SQLKit
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardStorage

@Suite("Vector stores on SQLite and PostgreSQL")
struct KnowledgeStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    func vectorStore(_ id: String, scope: String = "team:red", seconds: Double = 0) -> StoredVectorStore {
        StoredVectorStore(
            id: id, scope: scope, name: "\(id) docs", metadata: ["owner": "\(id)-owner"], createdAt: Self.now.addingTimeInterval(seconds))
    }

    func file(
        _ id: String, store: String = "vs_a", status: VectorStoreFile.Status = .inProgress, usageBytes: Int = 0, seconds: Double = 0
    ) -> VectorStoreFile {
        VectorStoreFile(
            storeID: store, fileID: id, filename: "\(id).md", status: status, maxChunkTokens: 800, overlapTokens: 400,
            attributes: ["lang": .string("en"), "year": .integer(2024), "draft": .bool(false), "score": .number(0.5)],
            usageBytes: usageBytes, keyID: id.hasSuffix("master") ? nil : "key_1", createdAt: Self.now.addingTimeInterval(seconds))
    }

    func chunk(_ file: String, _ position: Int, _ text: String, vector: [Float] = [0.25, -1, 3]) -> KnowledgeChunk {
        KnowledgeChunk(fileID: file, position: position, text: text, vector: vector)
    }

    /// The one number `sql` (a `SELECT COUNT(*) AS n …`) gives.
    func count(_ sql: String, in store: SQLGatewayStore) async throws -> Int {
        try #require(try await store.database.raw("\(unsafeRaw: sql)").first(decodingColumn: "n", as: Int.self))
    }

    /// Claims the file (in progress, with no claim holding at `now`) under `token` for a minute, and requires that it took.
    func claim(_ store: SQLGatewayStore, _ storeID: String, _ fileID: String, token: String, at now: Date = KnowledgeStoreTests.now) async throws {
        try #require(
            try await store.claimVectorStoreFile(storeID: storeID, fileID: fileID, token: token, until: now.addingTimeInterval(60), now: now),
            "\(fileID) was claimed")
    }

    @Test(
        "stores round-trip per tenant; pages run either way from a store; a rename keeps the version; deletes are the tenant's",
        arguments: TestDatabase.available)
    func stores(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            for (index, id) in ["vs_a", "vs_b", "vs_c", "vs_d"].enumerated() {
                try await store.insertVectorStore(vectorStore(id, seconds: Double(index)))
            }
            try await store.insertVectorStore(vectorStore("vs_blue", scope: "team:blue", seconds: 10))
            #expect(try await store.vectorStore(id: "vs_a", scope: "team:red") == vectorStore("vs_a"))
            #expect(try await store.vectorStore(id: "vs_a", scope: "team:blue") == nil)
            #expect(try await store.vectorStore(id: "vs_blue", scope: nil)?.scope == "team:blue")
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 0)
            #expect(try await store.vectorStoreVersion(id: "vs_none") == nil)

            func ids(_ stores: [StoredVectorStore]) -> [String] { stores.map(\.id) }
            #expect(ids(try await store.vectorStores(scope: "team:red", after: nil, limit: 10, ascending: false)) == ["vs_d", "vs_c", "vs_b", "vs_a"])
            #expect(ids(try await store.vectorStores(scope: "team:red", after: "vs_c", limit: 10, ascending: false)) == ["vs_b", "vs_a"])
            #expect(ids(try await store.vectorStores(scope: "team:red", after: "vs_b", limit: 1, ascending: true)) == ["vs_c"])
            #expect(ids(try await store.vectorStores(scope: nil, after: nil, limit: 2, ascending: false)) == ["vs_blue", "vs_d"])
            #expect(ids(try await store.vectorStores(scope: "team:blue", after: nil, limit: 10, ascending: true)) == ["vs_blue"])

            var renamed = vectorStore("vs_a")
            renamed.name = "handbook"
            renamed.metadata = ["owner": "ops", "tier": "gold"]
            try await store.updateVectorStore(renamed)
            #expect(try await store.vectorStore(id: "vs_a", scope: nil) == renamed)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 0, "a name is not what search sees")
            var stolen = vectorStore("vs_blue", scope: "team:red")
            stolen.name = "mine now"
            try await store.updateVectorStore(stolen)
            #expect(try await store.vectorStore(id: "vs_blue", scope: nil)?.name == "vs_blue docs", "another tenant's store is not saved over")

            #expect(try await store.deleteVectorStore(id: "vs_blue", scope: "team:red") == false)
            #expect(try await store.vectorStore(id: "vs_blue", scope: nil) != nil)
            #expect(try await store.deleteVectorStore(id: "vs_a", scope: "team:red"))
            #expect(try await store.vectorStore(id: "vs_a", scope: nil) == nil)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == nil)
            #expect(try await store.deleteVectorStore(id: "vs_a", scope: nil) == false)
            #expect(try await store.deleteVectorStore(id: "vs_blue", scope: nil), "the master key deletes any tenant's")
            #expect(ids(try await store.vectorStores(scope: nil, after: nil, limit: 10, ascending: true)) == ["vs_b", "vs_c", "vs_d"])
        }
    }

    @Test(
        "a file is added once; files page either way and by status; new attributes and removals move the version",
        arguments: TestDatabase.available)
    func files(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertVectorStore(vectorStore("vs_a"))
            try await store.insertVectorStore(vectorStore("vs_b"))
            for (index, id) in ["file_1", "file_2", "file_3"].enumerated() {
                #expect(try await store.insertVectorStoreFile(file(id, seconds: Double(index))))
            }
            var again = file("file_1", status: .completed, seconds: 50)
            again.filename = "other.md"
            #expect(try await store.insertVectorStoreFile(again) == false)
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_1") == file("file_1"), "the second add changed nothing")
            #expect(try await store.insertVectorStoreFile(file("file_1", store: "vs_b")), "another store may hold the same file")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_9") == nil)
            var master = file("file_master", seconds: 5)
            master.lastError = "an earlier attempt failed"
            #expect(try await store.insertVectorStoreFile(master))
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_master") == master)

            func ids(_ files: [VectorStoreFile]) -> [String] { files.map(\.fileID) }
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: nil, after: nil, limit: 10, ascending: false))
                == ["file_master", "file_3", "file_2", "file_1"])
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: nil, after: "file_3", limit: 1, ascending: false)) == ["file_2"])
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: nil, after: "file_1", limit: 2, ascending: true)) == ["file_2", "file_3"])
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: .completed, after: nil, limit: 10, ascending: true)).isEmpty)
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_b", status: .inProgress, after: nil, limit: 10, ascending: true)) == ["file_1"])
            // Files added at the same time page by id.
            #expect(try await store.insertVectorStoreFile(file("file_0", seconds: 2)))
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: .inProgress, after: "file_3", limit: 10, ascending: false))
                == ["file_0", "file_2", "file_1"])
            #expect(ids(try await store.vectorStoreFiles(storeID: "vs_a", status: nil, after: "file_0", limit: 10, ascending: true))
                == ["file_3", "file_master"])

            #expect(try await store.updateVectorStoreFileAttributes(storeID: "vs_a", fileID: "file_2", attributes: ["lang": .string("fr")]))
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_2")?.attributes == ["lang": .string("fr")])
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 1)
            #expect(try await store.updateVectorStoreFileAttributes(storeID: "vs_a", fileID: "file_9", attributes: [:]) == false)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 1)

            #expect(try await store.deleteVectorStoreFile(storeID: "vs_a", fileID: "file_3"))
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_3") == nil)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 2)
            #expect(try await store.deleteVectorStoreFile(storeID: "vs_a", fileID: "file_3") == false)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 2)
            #expect(try await store.vectorStoreVersion(id: "vs_b") == 0, "another store's version stays")
            #expect(try await store.vectorStoreFile(storeID: "vs_b", fileID: "file_1") != nil)
        }
    }

    @Test(
        "ingestion: unclaimed files oldest first, claims that hold and lapse, completion once, failure with why",
        arguments: TestDatabase.available)
    func ingestion(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertVectorStore(vectorStore("vs_a"))
            var first = file("file_1", seconds: 0)
            first.lastError = "an earlier attempt failed"
            #expect(try await store.insertVectorStoreFile(first))
            #expect(try await store.insertVectorStoreFile(file("file_2", seconds: 1)))
            #expect(try await store.insertVectorStoreFile(file("file_3", seconds: 2)))
            #expect(try await store.insertVectorStoreFile(file("file_done", status: .completed, seconds: -1)))
            let at = Self.now.addingTimeInterval(100)

            func ids(_ files: [VectorStoreFile]) -> [String] { files.map(\.fileID) }
            #expect(ids(try await store.unclaimedVectorStoreFiles(now: at, limit: 10)) == ["file_1", "file_2", "file_3"])
            #expect(ids(try await store.unclaimedVectorStoreFiles(now: at, limit: 2)) == ["file_1", "file_2"])
            #expect(try await store.claimVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_1", until: at.addingTimeInterval(60), now: at))
            #expect(
                try await store.claimVectorStoreFile(
                    storeID: "vs_a", fileID: "file_1", token: "claim_x", until: at.addingTimeInterval(90), now: at.addingTimeInterval(30)) == false,
                "another replica's claim holds")
            #expect(ids(try await store.unclaimedVectorStoreFiles(now: at.addingTimeInterval(30), limit: 10)) == ["file_2", "file_3"])
            #expect(
                ids(try await store.unclaimedVectorStoreFiles(now: at.addingTimeInterval(61), limit: 10)) == ["file_1", "file_2", "file_3"],
                "a claim lapses at its time")
            #expect(
                try await store.claimVectorStoreFile(
                    storeID: "vs_a", fileID: "file_1", token: "claim_2", until: at.addingTimeInterval(200), now: at.addingTimeInterval(61)))
            #expect(
                try await store.claimVectorStoreFile(storeID: "vs_a", fileID: "file_done", token: "claim_x", until: at.addingTimeInterval(60), now: at)
                    == false)
            #expect(
                try await store.claimVectorStoreFile(storeID: "vs_a", fileID: "file_9", token: "claim_x", until: at.addingTimeInterval(60), now: at) == false)

            let chunks = [chunk("file_1", 0, "alpha"), chunk("file_1", 1, "beta", vector: [])]
            #expect(
                try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_1", chunks: chunks, usageBytes: 9) == false,
                "the lapsed claim was taken by another")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_1")?.status == .inProgress)
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks", in: store) == 0, "the refused completion stored nothing")
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 0)
            #expect(try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_2", chunks: chunks, usageBytes: 9))
            let done = try #require(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_1"))
            #expect(done.status == .completed && done.usageBytes == 9 && done.lastError == nil)
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 1)
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == chunks)
            #expect(
                try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_2", chunks: chunks, usageBytes: 9) == false,
                "a completed file is no longer in progress")
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == chunks, "nothing was stored twice")
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 1)
            #expect(
                try await store.claimVectorStoreFile(
                    storeID: "vs_a", fileID: "file_1", token: "claim_x", until: at.addingTimeInterval(900), now: at.addingTimeInterval(300)) == false)

            try await claim(store, "vs_a", "file_2", token: "claim_f", at: at)
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_f", error: "unsupported file type")
            let failed = try #require(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_2"))
            #expect(failed.status == .failed && failed.lastError == "unsupported file type")
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_2", error: "too late")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_1") == done, "only a file in progress fails")
            #expect(
                try await store.completeVectorStoreFile(
                    storeID: "vs_a", fileID: "file_2", token: "claim_f", chunks: [chunk("file_2", 0, "x")], usageBytes: 1) == false)
            #expect(ids(try await store.unclaimedVectorStoreFiles(now: at.addingTimeInterval(1000), limit: 10)) == ["file_3"])

            try await claim(store, "vs_a", "file_3", token: "claim_3", at: at)
            #expect(try await store.deleteVectorStoreFile(storeID: "vs_a", fileID: "file_3"))
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 2)
            #expect(
                try await store.completeVectorStoreFile(
                    storeID: "vs_a", fileID: "file_3", token: "claim_3", chunks: [chunk("file_3", 0, "gamma")], usageBytes: 5) == false,
                "the file was removed meanwhile")
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 2)
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == chunks)
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks", in: store) == 2, "no chunk of a refused completion is kept")
            #expect(try await store.unclaimedVectorStoreFiles(now: at.addingTimeInterval(1000), limit: 10).isEmpty)
        }
    }

    @Test(
        "only the claim's token completes, fails, releases or renews a file; renewing extends the claim; a file added again takes no old token",
        arguments: TestDatabase.available)
    func claimTokens(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertVectorStore(vectorStore("vs_a"))
            #expect(try await store.insertVectorStoreFile(file("file_1")))
            #expect(try await store.insertVectorStoreFile(file("file_2", seconds: 1)))
            let at = Self.now.addingTimeInterval(100)

            func ids(_ files: [VectorStoreFile]) -> [String] { files.map(\.fileID) }
            func unclaimed(_ seconds: Double) async throws -> [String] {
                ids(try await store.unclaimedVectorStoreFiles(now: at.addingTimeInterval(seconds), limit: 10))
            }
            func renew(_ fileID: String, _ token: String, until seconds: Double) async throws -> Bool {
                try await store.renewVectorStoreFileClaim(storeID: "vs_a", fileID: fileID, token: token, until: at.addingTimeInterval(seconds))
            }
            func complete(_ fileID: String, _ token: String, _ chunks: [KnowledgeChunk]) async throws -> Bool {
                try await store.completeVectorStoreFile(storeID: "vs_a", fileID: fileID, token: token, chunks: chunks, usageBytes: 5)
            }
            func chunkCount(_ fileID: String) async throws -> Int {
                try await count("SELECT COUNT(*) AS n FROM vector_store_chunks WHERE file_id = '\(fileID)'", in: store)
            }

            // Never claimed: no token is the file's.
            #expect(try await renew("file_1", "claim_a", until: 60) == false, "an unclaimed file has no claim to renew")
            #expect(try await complete("file_1", "claim_a", [chunk("file_1", 0, "alpha")]) == false)
            #expect(try await unclaimed(0) == ["file_1", "file_2"], "the refused renewal claimed nothing")
            #expect(try await chunkCount("file_1") == 0)

            // Another claim's token does nothing.
            try await claim(store, "vs_a", "file_1", token: "claim_a", at: at)
            #expect(try await renew("file_1", "claim_b", until: 600) == false)
            #expect(try await complete("file_1", "claim_b", [chunk("file_1", 0, "alpha")]) == false)
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_b", error: "not mine")
            try await store.releaseVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_b")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_1") == file("file_1"), "still in progress, with no error")
            #expect(try await chunkCount("file_1") == 0, "the refused completion stored nothing")
            #expect(try await store.vectorStoreVersion(id: "vs_a") == 0)
            #expect(try await unclaimed(30) == ["file_2"], "the claim was not released")
            #expect(try await unclaimed(61) == ["file_1", "file_2"], "nor renewed: it lapses at its own time")

            // The claim's token renews it: it holds past its old time, until the new one.
            #expect(try await renew("file_1", "claim_a", until: 300))
            #expect(try await unclaimed(61) == ["file_2"])
            #expect(try await unclaimed(299) == ["file_2"])
            #expect(
                try await store.claimVectorStoreFile(
                    storeID: "vs_a", fileID: "file_1", token: "claim_b", until: at.addingTimeInterval(400), now: at.addingTimeInterval(200)) == false,
                "the renewed claim holds against another replica")
            #expect(try await unclaimed(301) == ["file_1", "file_2"], "the renewed claim lapses at its new time")
            let alpha = [chunk("file_1", 0, "alpha")]
            #expect(try await complete("file_1", "claim_a", alpha))
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == alpha)
            #expect(try await renew("file_1", "claim_a", until: 900) == false, "a completed file is no longer in progress")
            #expect(try await unclaimed(1000) == ["file_2"])

            // Released under its token, a file is any replica's at once; the released token then does nothing.
            try await claim(store, "vs_a", "file_2", token: "claim_c", at: at)
            #expect(try await unclaimed(1).isEmpty)
            try await store.releaseVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_c")
            #expect(try await unclaimed(1) == ["file_2"], "released before its time")
            try await claim(store, "vs_a", "file_2", token: "claim_d", at: at.addingTimeInterval(1))
            try await store.releaseVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_c")
            #expect(try await unclaimed(2).isEmpty, "an old claim's release does not let go of the new one")
            #expect(try await renew("file_2", "claim_c", until: 600) == false)
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_c", error: "not mine")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_2")?.status == .inProgress)
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_d", error: "unsupported file type")
            let failed = try #require(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_2"))
            #expect(failed.status == .failed && failed.lastError == "unsupported file type")
            #expect(try await renew("file_2", "claim_d", until: 600) == false, "a failed file is no longer in progress")

            // Removed, a file has no claim; added again, it is a new row that no old claim's token reaches.
            #expect(try await store.insertVectorStoreFile(file("file_3", seconds: 2)))
            try await claim(store, "vs_a", "file_3", token: "claim_old", at: at)
            #expect(try await renew("file_3", "claim_old", until: 120))
            #expect(try await store.deleteVectorStoreFile(storeID: "vs_a", fileID: "file_3"))
            #expect(try await renew("file_3", "claim_old", until: 120) == false, "a removed file has no claim to renew")
            #expect(try await store.insertVectorStoreFile(file("file_3", seconds: 2)))
            #expect(try await unclaimed(2) == ["file_3"], "the old claim went with the old row")
            #expect(try await renew("file_3", "claim_old", until: 120) == false)
            #expect(try await complete("file_3", "claim_old", [chunk("file_3", 0, "stale")]) == false)
            try await claim(store, "vs_a", "file_3", token: "claim_new", at: at.addingTimeInterval(2))
            #expect(try await complete("file_3", "claim_old", [chunk("file_3", 0, "stale")]) == false)
            #expect(try await renew("file_3", "claim_old", until: 120) == false)
            try await store.releaseVectorStoreFile(storeID: "vs_a", fileID: "file_3", token: "claim_old")
            try await store.failVectorStoreFile(storeID: "vs_a", fileID: "file_3", token: "claim_old", error: "stale")
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_3") == file("file_3", seconds: 2))
            #expect(try await unclaimed(3).isEmpty, "the new claim holds")
            #expect(try await chunkCount("file_3") == 0)
            let gamma = [chunk("file_3", 0, "gamma")]
            #expect(try await complete("file_3", "claim_new", gamma))
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == alpha + gamma)
        }
    }

    @Test(
        "completing a file replaces the chunks and full-text rows an interrupted attempt left; a refused completion leaves them",
        arguments: TestDatabase.available)
    func leftovers(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertVectorStore(vectorStore("vs_a"))
            #expect(try await store.insertVectorStoreFile(file("file_1")))
            #expect(try await store.insertVectorStoreFile(file("file_2")))
            let other = chunk("file_2", 0, "harbor lighthouse")
            try await claim(store, "vs_a", "file_2", token: "claim_2")
            #expect(try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_2", token: "claim_2", chunks: [other], usageBytes: 5))

            // An attempt under claim A stored some chunks (and their full-text rows) and was cut short; its claim lapsed.
            let at = Self.now.addingTimeInterval(100)
            try await claim(store, "vs_a", "file_1", token: "claim_a", at: at)
            let empty = backend == .sqlite ? "X''" : "''::bytea"
            try await store.database.raw(
                """
                INSERT INTO vector_store_chunks (store_id, file_id, position, text, vector) VALUES \
                ('vs_a', 'file_1', 0, 'a zebra left over', \(unsafeRaw: empty)), \
                ('vs_a', 'file_1', 1, 'another zebra left over', \(unsafeRaw: empty)), \
                ('vs_a', 'file_1', 2, 'a third zebra left over', \(unsafeRaw: empty))
                """
            ).run()
            if backend == .sqlite {
                try await store.database.raw(
                    """
                    INSERT INTO vector_store_chunks_fts (rowid, text) \
                    SELECT id, text FROM vector_store_chunks WHERE store_id = 'vs_a' AND file_id = 'file_1'
                    """
                ).run()
                #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks_fts", in: store) == 4)
            }
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks WHERE file_id = 'file_1'", in: store) == 3)
            #expect(try await store.knowledgeChunks(storeID: "vs_a") == [other], "an in-progress file's chunks are not searched")
            #expect(try await store.lexicalMatches(storeID: "vs_a", terms: ["zebra"], limit: 10).isEmpty)

            // Claim B takes the file over.
            try await claim(store, "vs_a", "file_1", token: "claim_b", at: at.addingTimeInterval(61))
            let fresh = [chunk("file_1", 0, "fresh alpha"), chunk("file_1", 1, "fresh beta", vector: [])]
            #expect(
                try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_a", chunks: fresh, usageBytes: 20) == false)
            #expect(
                try await count("SELECT COUNT(*) AS n FROM vector_store_chunks WHERE file_id = 'file_1'", in: store) == 3,
                "a refused completion neither stores nor deletes")
            #expect(try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_1", token: "claim_b", chunks: fresh, usageBytes: 20))

            #expect(try await store.knowledgeChunks(storeID: "vs_a") == fresh + [other], "only the new chunks, each once")
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks WHERE file_id = 'file_1'", in: store) == 2)
            #expect(try await store.lexicalMatches(storeID: "vs_a", terms: ["zebra"], limit: 10).isEmpty, "no leftover is found")
            #expect(
                try await store.lexicalMatches(storeID: "vs_a", terms: ["fresh"], limit: 10)
                    .sorted { $0.position < $1.position } == [LexicalMatch(fileID: "file_1", position: 0), LexicalMatch(fileID: "file_1", position: 1)])
            #expect(try await store.lexicalMatches(storeID: "vs_a", terms: ["lighthouse"], limit: 10) == [LexicalMatch(fileID: "file_2", position: 0)])
            if backend == .sqlite {
                #expect(
                    try await count("SELECT COUNT(*) AS n FROM vector_store_chunks_fts", in: store) == 3, "no full-text row of a leftover stays")
            }
        }
    }

    @Test("totals count each store's files by status and sum their bytes", arguments: TestDatabase.available)
    func totals(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            for id in ["vs_a", "vs_b", "vs_c"] { try await store.insertVectorStore(vectorStore(id)) }
            for added in [
                file("file_1"), file("file_2", status: .completed, usageBytes: 100), file("file_3", status: .completed, usageBytes: 50),
                file("file_4", status: .failed), file("file_5"), file("file_1", store: "vs_b"),
            ] {
                #expect(try await store.insertVectorStoreFile(added))
            }
            // More ids than one statement takes, one of them twice.
            let ids = ["vs_a", "vs_b", "vs_c"] + (0..<600).map { "vs_none_\($0)" } + ["vs_a"]
            var totals = try await store.vectorStoreTotals(ids: ids)
            var a = try #require(totals["vs_a"])
            #expect(a.counts == [.inProgress: 2, .completed: 2, .failed: 1])
            #expect(a.usageBytes == 150)
            let b = try #require(totals["vs_b"])
            #expect(b.counts == [.inProgress: 1])
            #expect(b.usageBytes == 0)
            #expect((totals["vs_c"]?.counts.values.reduce(0, +) ?? 0) == 0 && (totals["vs_c"]?.usageBytes ?? 0) == 0)
            #expect(!totals.keys.contains("vs_none_1"))
            #expect(try await store.vectorStoreTotals(ids: []).isEmpty)

            try await claim(store, "vs_a", "file_1", token: "claim_1")
            #expect(
                try await store.completeVectorStoreFile(
                    storeID: "vs_a", fileID: "file_1", token: "claim_1", chunks: [chunk("file_1", 0, "seven")], usageBytes: 7))
            totals = try await store.vectorStoreTotals(ids: ["vs_a"])
            a = try #require(totals["vs_a"])
            #expect(a.counts == [.inProgress: 1, .completed: 3, .failed: 1])
            #expect(a.usageBytes == 157)
            #expect(!totals.keys.contains("vs_b"), "only the stores asked for")
        }
    }

    @Test("a store's chunks round-trip with their vectors (none too), in file and place order, only the store's", arguments: TestDatabase.available)
    func chunks(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertVectorStore(vectorStore("vs_a"))
            try await store.insertVectorStore(vectorStore("vs_other"))
            for (storeID, fileID) in [("vs_a", "file_b"), ("vs_a", "file_a"), ("vs_a", "file_c"), ("vs_other", "file_o")] {
                #expect(try await store.insertVectorStoreFile(file(fileID, store: storeID)))
            }
            let b1 = chunk("file_b", 1, "second part", vector: [])
            let b0 = chunk("file_b", 0, "naïve café ✓ first part", vector: [0.5, -1, 2, .greatestFiniteMagnitude, -0.0])
            let a0 = chunk("file_a", 0, "only part", vector: [1e-8])
            for (storeID, fileID) in [("vs_a", "file_b"), ("vs_a", "file_a"), ("vs_other", "file_o")] {
                try await claim(store, storeID, fileID, token: "claim_\(fileID)")
            }
            #expect(try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_b", token: "claim_file_b", chunks: [b1, b0], usageBytes: 40))
            #expect(try await store.completeVectorStoreFile(storeID: "vs_a", fileID: "file_a", token: "claim_file_a", chunks: [a0], usageBytes: 9))
            #expect(
                try await store.completeVectorStoreFile(
                    storeID: "vs_other", fileID: "file_o", token: "claim_file_o", chunks: [chunk("file_o", 0, "elsewhere")], usageBytes: 9))

            let stored = try await store.knowledgeChunks(storeID: "vs_a")
            #expect(stored == [a0, b0, b1])
            #expect(stored.last?.vector.isEmpty == true, "no vector reads back as none")
            #expect(stored.dropFirst().first?.vector.last?.sign == .minus, "the floats' bits are kept")
            #expect(try await store.knowledgeChunks(storeID: "vs_other").map(\.text) == ["elsewhere"])
            #expect(try await store.knowledgeChunks(storeID: "vs_none").isEmpty)
        }
    }

    @Test(
        "lexical search finds stemmed words, best match first, only in the store's completed files; terms carry no syntax",
        arguments: TestDatabase.available)
    func lexical(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            for id in ["vs_a", "vs_other", "vs_filler"] { try await store.insertVectorStore(vectorStore(id)) }
            let corpus: [(store: String, file: String, texts: [String])] = [
                ("vs_a", "file_a", ["The brown fox jumps over the lazy dog", "A quiet river runs through the green valley"]),
                ("vs_a", "file_b", ["The fox sleeps beneath an old oak tree", "She was running late for the morning train"]),
                ("vs_a", "file_c", ["A brown fox hides in the dusty archive"]),
                ("vs_other", "file_o", ["A brown fox meets a zebra in another store"]),
                (
                    "vs_filler", "file_f",
                    [
                        "Bread rises slowly in a warm kitchen", "Mountains glow at sunset in winter", "The library opens at nine on weekdays",
                        "Coffee beans are roasted before grinding", "Children build castles on the sandy beach",
                        "Old maps show forgotten trading routes", "Violins need careful tuning before concerts",
                        "Bees gather nectar from summer flowers",
                    ]
                ),
            ]
            for (storeID, fileID, texts) in corpus {
                #expect(try await store.insertVectorStoreFile(file(fileID, store: storeID)))
                let chunks = texts.enumerated().map { chunk(fileID, $0.offset, $0.element) }
                try await claim(store, storeID, fileID, token: "claim_\(fileID)")
                #expect(try await store.completeVectorStoreFile(storeID: storeID, fileID: fileID, token: "claim_\(fileID)", chunks: chunks, usageBytes: 10))
            }
            // In progress: never searched (it has no chunks yet).
            #expect(try await store.insertVectorStoreFile(file("file_d")))

            func matches(_ terms: [String], in storeID: String = "vs_a", limit: Int = 10) async throws -> [LexicalMatch] {
                try await store.lexicalMatches(storeID: storeID, terms: terms, limit: limit)
            }
            func byFile(_ found: [LexicalMatch]) -> [LexicalMatch] {
                found.sorted { ($0.fileID, $0.position) < ($1.fileID, $1.position) }
            }
            #expect(try await matches(["archive"]) == [LexicalMatch(fileID: "file_c", position: 0)])
            #expect(try await store.deleteVectorStoreFile(storeID: "vs_a", fileID: "file_c"))
            #expect(try await matches(["archive"]).isEmpty, "a removed file's chunks are not found")

            #expect(
                try await matches(["brown", "fox"]) == [LexicalMatch(fileID: "file_a", position: 0), LexicalMatch(fileID: "file_b", position: 0)],
                "the chunk holding both words first; another store's chunk not at all")
            let run = [LexicalMatch(fileID: "file_a", position: 1), LexicalMatch(fileID: "file_b", position: 1)]
            #expect(byFile(try await matches(["run"])) == run, "'runs' and 'running' stem to 'run'")
            #expect(byFile(try await matches(["running"])) == run)
            #expect(byFile(try await matches(["RUNNING?!"])) == run, "terms are cut to their letters and digits")
            #expect(try await matches(["fox", "run"], limit: 1).count == 1)
            #expect(try await matches(["zebra"]).isEmpty)
            #expect(try await matches(["zebra"], in: "vs_other") == [LexicalMatch(fileID: "file_o", position: 0)])
            #expect(try await matches(["!!", "--", " ", ""]).isEmpty)
            #expect(try await matches([]).isEmpty)
            #expect(try await matches(["fox\" OR \"zebra", "fox | zebra"]).isEmpty, "no term carries query syntax")
            #expect(try await matches(["fox"], limit: 0).isEmpty)
            if backend == .sqlite {
                let indexed = try await count("SELECT COUNT(*) AS n FROM vector_store_chunks_fts", in: store)
                let stored = try await count("SELECT COUNT(*) AS n FROM vector_store_chunks", in: store)
                #expect(indexed == stored && stored == 13, "each chunk has one full-text row")
            }

            #expect(try await store.deleteVectorStore(id: "vs_a", scope: "team:red"))
            #expect(try await matches(["fox"]).isEmpty)
            #expect(try await matches(["run"]).isEmpty)
            #expect(try await store.knowledgeChunks(storeID: "vs_a").isEmpty)
            #expect(try await store.vectorStoreFile(storeID: "vs_a", fileID: "file_a") == nil)
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks WHERE store_id = 'vs_a'", in: store) == 0)
            #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_files WHERE store_id = 'vs_a'", in: store) == 0)
            #expect(try await matches(["zebra"], in: "vs_other") == [LexicalMatch(fileID: "file_o", position: 0)], "other stores keep theirs")
            if backend == .sqlite {
                #expect(try await count("SELECT COUNT(*) AS n FROM vector_store_chunks_fts", in: store) == 9, "no full-text row outlives its chunk")
            }
        }
    }
}
