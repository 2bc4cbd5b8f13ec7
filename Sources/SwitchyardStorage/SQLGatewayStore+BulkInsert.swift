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
    /// Inserts rows into `table` in one statement; `values` holds them one after another, `columns.count` values
    /// each. With `conflictColumn`, a row whose key is already stored is skipped rather than failing the rest.
    ///
    /// The write-behind logs call this for every batch. On SQLite the values are bound as they are: SQLKit's
    /// general path encodes each through `Encodable` and builds its text piece by piece, which costs more than
    /// SQLite's own work for a batch of narrow rows.
    func bulkInsert(into table: String, columns: [String], values: [ColumnValue], conflictColumn: String? = nil) async throws {
        guard !columns.isEmpty, !values.isEmpty else { return }
        precondition(values.count % columns.count == 0, "a bulk insert's values must fill whole rows")
        switch connections {
        case .sqlite(let connection):
            let sql = Self.insertStatement(into: table, columns: columns, rows: values.count / columns.count, conflictColumn: conflictColumn)
            try await connection.query(sql, values.map(\.sqlite)) { _ in }
        case .postgres:
            var insert = database.insert(into: table).columns(columns)
            for start in stride(from: 0, to: values.count, by: columns.count) {
                insert = insert.values(values[start..<start + columns.count].map(\.bind))
            }
            if let conflictColumn { insert = insert.ignoringConflicts(with: [conflictColumn]) }
            try await insert.run()
        }
    }

    /// `INSERT INTO table (columns) VALUES (?,…),…` for `rows` rows, written in one pass.
    static func insertStatement(into table: String, columns: [String], rows: Int, conflictColumn: String?) -> String {
        let row = "(" + String(repeating: "?,", count: columns.count - 1) + "?)"
        var sql = "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * (row.utf8.count + 1) + 64)
        for index in 0..<rows {
            if index > 0 { sql += "," }
            sql += row
        }
        if let conflictColumn { sql += " ON CONFLICT (\(conflictColumn)) DO NOTHING" }
        return sql
    }
}
