/// Keeps `usage_daily` (what each key and team spent per UTC day) current inside the database: every insert
/// into `usage_records` adds its cost and tokens to the owners' rows for that day, in the same statement.
///
/// Budgets are checked against spend per period (day, ISO week, month, all time), and every period starts on a
/// day boundary, so these daily sums answer every period without reading the per-request records. Reloading
/// spend then costs the same after a billion requests as after a thousand.
enum UsageRollup {
    /// The trigger that adds inserted usage to the daily sums, written for `dialect` (SQLKit's dialect name).
    static func triggerStatements(dialect: String) -> [String] {
        let owners = [("key_id", "key:"), ("team_id", "team:")]
        if dialect == "postgresql" {
            // One statement-level trigger: each batch insert adds to each owner's day once. Rows are taken in
            // one order, so replicas writing batches at once lock them in the same order and never deadlock.
            let upserts = owners.map { column, prefix in
                """
                INSERT INTO usage_daily (owner, day, cost_usd, tokens)
                SELECT '\(prefix)' || \(column), day, SUM(cost_usd), SUM(prompt_tokens + completion_tokens)
                FROM inserted WHERE \(column) IS NOT NULL GROUP BY \(column), day ORDER BY \(column), day
                ON CONFLICT (owner, day) DO UPDATE
                SET cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd, tokens = usage_daily.tokens + EXCLUDED.tokens;
                """
            }
            return [
                """
                CREATE FUNCTION switchyard_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                \(upserts.joined(separator: "\n"))
                RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER usage_records_rollup AFTER INSERT ON usage_records
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION switchyard_usage_rollup()
                """,
            ]
        }
        // SQLite triggers run per row.
        let upserts = owners.map { column, prefix in
            """
            INSERT INTO usage_daily (owner, day, cost_usd, tokens)
            SELECT '\(prefix)' || NEW.\(column), NEW.day, NEW.cost_usd, NEW.prompt_tokens + NEW.completion_tokens
            WHERE NEW.\(column) IS NOT NULL
            ON CONFLICT (owner, day) DO UPDATE
            SET cost_usd = usage_daily.cost_usd + excluded.cost_usd, tokens = usage_daily.tokens + excluded.tokens;
            """
        }
        return [
            """
            CREATE TRIGGER usage_records_rollup AFTER INSERT ON usage_records
            BEGIN
            \(upserts.joined(separator: "\n"))
            END
            """
        ]
    }
}
