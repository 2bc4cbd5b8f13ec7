import PostgresKit
import SQLKit
import SQLiteKit
import SwitchyardCore

/// One column's value in a row of a bulk insert.
///
/// Text is made safe to store as it is bound: NUL characters (which PostgreSQL's text columns refuse, failing the
/// whole batch) are removed, and a value longer than its column's bound is cut, so no client string can cost a
/// batch of other tenants' rows.
enum ColumnValue: Sendable {
    /// A short value: ids, names, models, paths (at most ``shortTextBytes``).
    case text(String?)
    /// A long value: bodies and error messages (at most ``longTextBytes``).
    case longText(String?)
    case integer(Int?)
    case real(Double?)

    static let shortTextBytes = 1024
    static let longTextBytes = 16 << 20

    var sqlite: SQLiteData {
        switch self {
        case .text(let value): value.map { .text(Self.storable($0, limit: Self.shortTextBytes)) } ?? .null
        case .longText(let value): value.map { .text(Self.storable($0, limit: Self.longTextBytes)) } ?? .null
        case .integer(let value): value.map { SQLiteData.integer($0) } ?? .null
        case .real(let value): value.map { SQLiteData.float($0.isFinite ? $0 : 0) } ?? .null
        }
    }

    var bind: SQLBind {
        switch self {
        case .text(let value): SQLBind(value.map { Self.storable($0, limit: Self.shortTextBytes) })
        case .longText(let value): SQLBind(value.map { Self.storable($0, limit: Self.longTextBytes) })
        case .integer(let value): SQLBind(value)
        case .real(let value): SQLBind(value.map { $0.isFinite ? $0 : 0 })
        }
    }

    /// `text` without NUL characters and at most `limit` UTF-8 bytes (cut at a character boundary).
    static func storable(_ text: String, limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.contains(0) || utf8.count > limit else { return text }
        var cleaned = text.contains("\u{0}") ? text.replacing("\u{0}", with: "") : text
        if cleaned.utf8.count > limit {
            let utf8 = cleaned.utf8
            var end = utf8.index(utf8.startIndex, offsetBy: limit)
            // Back to the start of a scalar: past continuation bytes (0b10xxxxxx).
            while end > utf8.startIndex && utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
            cleaned = String(decoding: utf8[..<end], as: UTF8.self)
        }
        return cleaned
    }
}

extension SQLGatewayStore {
    /// Inserts rows into `table` in one statement; `values` holds them one after another, `columns.count` values
    /// each. With `conflictColumn`, a row whose key is already stored is skipped rather than failing the rest.
    ///
    /// The write-behind logs call this for every batch. On SQLite the values are bound as they are: SQLKit's
    /// general path encodes each through `Encodable` and builds its text piece by piece, which costs more than
    /// SQLite's own work for a batch of narrow rows.
    ///
    /// - Throws: ``StorageRefusedRows`` when the database refused the rows themselves (a data or constraint error),
    ///   anything else when it could not take them.
    func bulkInsert(into table: String, columns: [String], values: [ColumnValue], conflictColumn: String? = nil) async throws {
        guard !columns.isEmpty, !values.isEmpty else { return }
        precondition(values.count % columns.count == 0, "a bulk insert's values must fill whole rows")
        do {
            try await insert(into: table, columns: columns, values: values, conflictColumn: conflictColumn)
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    private func insert(into table: String, columns: [String], values: [ColumnValue], conflictColumn: String?) async throws {
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

    /// Whether `error` says the rows themselves were refused: PostgreSQL's data exceptions (SQLSTATE class 22) and
    /// integrity violations (class 23), SQLite's constraint, type-mismatch, too-big and range errors.
    static func refusesRows(_ error: any Error) -> Bool {
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            return state.hasPrefix("22") || state.hasPrefix("23")
        }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraint, .mismatch, .tooBig, .range, .constraintCheckFailed, .constraintNotNullFailed, .constraintPrimaryKeyFailed,
                .constraintUniqueFailed, .constraintForeignKeyFailed, .constraintStrictDataTypeFailed, .constraintTriggerFailed:
                return true
            default:
                return false
            }
        }
        return false
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
