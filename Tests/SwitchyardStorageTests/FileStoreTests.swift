import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Files on SQLite and PostgreSQL")
struct FileStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    func file(_ id: String, scope: String = "team:red", purpose: String = "assistants", seconds: Double) -> StoredFile {
        StoredFile(
            id: id, scope: scope, filename: "\(id).md", purpose: purpose, content: Data("# \(id)\n\u{0}binary-safe".utf8),
            createdAt: Self.now.addingTimeInterval(seconds))
    }

    @Test("files round-trip with and without their content; pages run either way from a file; deletes are the tenant's", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            for (index, id) in ["a", "b", "c", "d"].enumerated() {
                try await store.insertFile(file(id, purpose: index == 2 ? "user_data" : "assistants", seconds: Double(index)))
            }
            try await store.insertFile(file("blue", scope: "team:blue", seconds: 10))
            let whole = try #require(try await store.file(id: "a", scope: "team:red", withContent: true))
            #expect(whole == file("a", seconds: 0))
            let bare = try #require(try await store.file(id: "a", scope: "team:red", withContent: false))
            #expect(bare.content.isEmpty && bare.bytes == whole.content.count)
            #expect(try await store.file(id: "a", scope: "team:blue", withContent: false) == nil)
            #expect(try await store.file(id: "blue", scope: nil, withContent: false) != nil)

            func ids(_ files: [StoredFile]) -> [String] { files.map(\.id) }
            #expect(ids(try await store.files(scope: "team:red", purpose: nil, after: nil, limit: 10, ascending: false)) == ["d", "c", "b", "a"])
            #expect(ids(try await store.files(scope: "team:red", purpose: nil, after: "c", limit: 10, ascending: false)) == ["b", "a"])
            #expect(ids(try await store.files(scope: "team:red", purpose: nil, after: "b", limit: 1, ascending: true)) == ["c"])
            #expect(ids(try await store.files(scope: "team:red", purpose: "user_data", after: nil, limit: 10, ascending: true)) == ["c"])
            #expect(ids(try await store.files(scope: nil, purpose: nil, after: nil, limit: 1, ascending: false)) == ["blue"])

            #expect(try await store.deleteFile(id: "blue", scope: "team:red") == false)
            #expect(try await store.deleteFile(id: "a", scope: "team:red"))
            #expect(try await store.file(id: "a", scope: nil, withContent: false) == nil)
        }
    }
}
