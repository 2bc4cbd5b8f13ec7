/// Counts changes to keys and teams inside the database: every insert, update or delete of `virtual_keys` or
/// `teams` adds one to the `keys` row of `revisions`, in the same statement as the change.
///
/// Each replica reloads its key directory only when the count moved, so checking for changes every second costs
/// one single-row read however many keys there are.
enum KeyRevision {
    static let tables = ["virtual_keys", "teams"]

    /// The triggers that count changes, written for `dialect` (SQLKit's dialect name).
    static func triggerStatements(dialect: String) -> [String] {
        let bump = "UPDATE revisions SET revision = revision + 1 WHERE name = 'keys';"
        if dialect == "postgresql" {
            return [
                """
                CREATE FUNCTION switchyard_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                \(bump)
                RETURN NULL;
                END $$
                """
            ]
                + tables.map { table in
                    """
                    CREATE TRIGGER \(table)_revision AFTER INSERT OR UPDATE OR DELETE ON \(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION switchyard_keys_changed()
                    """
                }
        }
        return tables.flatMap { table in
            ["INSERT", "UPDATE", "DELETE"].map { event in
                "CREATE TRIGGER \(table)_\(event.lowercased())_revision AFTER \(event) ON \(table) BEGIN \(bump) END"
            }
        }
    }
}
