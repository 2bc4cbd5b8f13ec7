import SQLKit
import SQLiteKit

/// One column's value in a row of a bulk insert.
enum ColumnValue: Sendable {
    case text(String?)
    case integer(Int?)
    case real(Double?)

    var sqlite: SQLiteData {
        switch self {
        case .text(let value): value.map(SQLiteData.text) ?? .null
        case .integer(let value): value.map { SQLiteData.integer($0) } ?? .null
        case .real(let value): value.map(SQLiteData.float) ?? .null
        }
    }

    var bind: SQLBind {
        switch self {
        case .text(let value): SQLBind(value)
        case .integer(let value): SQLBind(value)
        case .real(let value): SQLBind(value)
        }
    }
}

extension SQLGatewayStore {
    /// Inserts `rows` into `table` in one statement; with `conflictColumn`, a row whose key is already stored is
    /// skipped rather than failing the rest.
    ///
    /// The write-behind logs call this for every batch. On SQLite the values are bound as they are: SQLKit's
    /// general path encodes each through `Encodable` and builds its text piece by piece, which costs more than
    /// SQLite's own work for a batch of narrow rows.
    func bulkInsert(into table: String, columns: [String], rows: [[ColumnValue]], conflictColumn: String? = nil) async throws {
        guard !rows.isEmpty else { return }
        switch connections {
        case .sqlite(let connection):
            let placeholders = "(" + repeatElement("?", count: columns.count).joined(separator: ",") + ")"
            var sql = "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
            sql += repeatElement(placeholders, count: rows.count).joined(separator: ",")
            if let conflictColumn { sql += " ON CONFLICT (\(conflictColumn)) DO NOTHING" }
            var binds: [SQLiteData] = []
            binds.reserveCapacity(columns.count * rows.count)
            for row in rows { binds.append(contentsOf: row.lazy.map(\.sqlite)) }
            try await connection.query(sql, binds) { _ in }
        case .postgres:
            var insert = database.insert(into: table).columns(columns)
            for row in rows { insert = insert.values(row.map(\.bind)) }
            if let conflictColumn { insert = insert.ignoringConflicts(with: [conflictColumn]) }
            try await insert.run()
        }
    }
}
