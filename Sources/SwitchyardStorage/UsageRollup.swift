/// Keeps `usage_daily` (what each key and team spent per UTC day) current inside the database, so budgets are
/// checked against sums whose cost does not grow with the number of requests.
///
/// Budgets are checked against spend per period (day, ISO week, month, all time), and every period starts on a
/// day boundary, so these daily sums answer every period without reading the per-minute usage.
///
/// On SQLite, triggers on `usage_minutes` add each new row, and each increase of a row, to its owners' days in the
/// same statement as the upsert. On PostgreSQL the writer adds a batch's daily sums itself, in the transaction of
/// its upsert and in one order on every replica (``SQLGatewayStore/append(_:)``): row triggers there would lock the
/// owners' days in the order of the rows, and two replicas could deadlock.
enum UsageRollup {
    /// The owners a usage row counts for: its key's and its team's daily sums, by column and owner prefix.
    static let owners = [("key_id", "key:"), ("team_id", "team:")]

    /// PostgreSQL: the statements of a `usage_records` trigger function that add the rows a statement inserted
    /// (`inserted`) to their owners' days, in key order.
    private static var dailyFromInsertedRecords: String {
        owners.map { column, prefix in
            """
            INSERT INTO usage_daily (owner, day, cost_usd, tokens)
            SELECT '\(prefix)' || \(column), day, SUM(cost_usd), SUM(prompt_tokens + completion_tokens)
            FROM inserted WHERE \(column) IS NOT NULL GROUP BY \(column), day ORDER BY \(column), day
            ON CONFLICT (owner, day) DO UPDATE
            SET cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd, tokens = usage_daily.tokens + EXCLUDED.tokens;
            """
        }.joined(separator: "\n")
    }

    /// The triggers that kept the daily sums from per-request rows (`usage_records`, schema versions 7 to 20),
    /// written for `dialect` (SQLKit's dialect name). Migration 7 creates them; migration 21 replaces them with
    /// ``recordFoldingFunction()`` and ``recordFoldingTrigger()``.
    static func recordTriggerStatements(dialect: String) -> [String] {
        if dialect == "postgresql" {
            return [
                """
                CREATE FUNCTION switchyard_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                \(dailyFromInsertedRecords)
                RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER usage_records_rollup AFTER INSERT ON usage_records
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION switchyard_usage_rollup()
                """,
            ]
        }
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

    /// The columns of `usage_minutes`, keys then sums.
    static let minuteColumns =
        "minute, key_id, team_id, model, target, status, cached, prompt, prompt_version, day, requests, prompt_tokens, completion_tokens, cached_tokens, cost_usd"

    /// Adds per-request rows of `usage_records` to `usage_minutes`: all of `source` (grouped), or, in a SQLite row
    /// trigger, the one row `NEW` (`rowValues` non-nil). Missing keys, teams, targets and prompts become `''` and a
    /// missing version 0, as the writer stores them.
    static func minutesFromRecords(source: String, rowValues: String?) -> String {
        let row = rowValues ?? ""
        let keys = [
            "substr(\(row)time, 1, 16)", "COALESCE(\(row)key_id, '')", "COALESCE(\(row)team_id, '')", "\(row)model", "COALESCE(\(row)target, '')",
            "\(row)status", "\(row)cached", "COALESCE(\(row)prompt, '')", "COALESCE(\(row)prompt_version, 0)", "\(row)day",
        ].joined(separator: ", ")
        let sums =
            rowValues == nil
            ? "COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens), SUM(cost_usd)"
            : "1, \(row)prompt_tokens, \(row)completion_tokens, \(row)cached_tokens, \(row)cost_usd"
        // `WHERE true`: SQLite would read `ON CONFLICT` after a bare `FROM` as a join's `ON`.
        let from = rowValues == nil ? " FROM \(source) WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10" : " WHERE true"
        let additions = ["requests", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd"]
            .map { "\($0) = usage_minutes.\($0) + excluded.\($0)" }.joined(separator: ", ")
        return """
            INSERT INTO usage_minutes (\(minuteColumns))
            SELECT \(keys), \(sums)\(from)
            ON CONFLICT (minute, key_id, team_id, model, target, status, cached, prompt, prompt_version, day) DO UPDATE SET \(additions)
            """
    }

    /// PostgreSQL: the trigger function of `usage_records`, from schema version 21 on. Rows that replicas of an
    /// earlier release insert are added to the minutes (in key order), and to the daily sums as before.
    static func recordFoldingFunction() -> String {
        """
            CREATE OR REPLACE FUNCTION switchyard_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            \(minutesFromRecords(source: "inserted", rowValues: nil));
            \(dailyFromInsertedRecords)
            RETURN NULL;
            END $$
            """
    }

    /// SQLite: the trigger of `usage_records` from schema version 21 on. A row that an earlier release inserts is
    /// added to its minute, whose own triggers add it to the daily sums.
    static func recordFoldingTrigger() -> String {
        """
        CREATE TRIGGER usage_records_to_minutes AFTER INSERT ON usage_records
        BEGIN
        \(minutesFromRecords(source: "usage_records", rowValues: "NEW."));
        END
        """
    }

    /// SQLite's triggers on `usage_minutes`: a new row adds its cost and tokens to its owners' days, an updated row
    /// what it grew by. Rows without a key or team (`''`) count for no owner.
    static func minuteTriggerStatements() -> [String] {
        func upserts(cost: String, tokens: String) -> String {
            owners.map { column, prefix in
                """
                INSERT INTO usage_daily (owner, day, cost_usd, tokens)
                SELECT '\(prefix)' || NEW.\(column), NEW.day, \(cost), \(tokens)
                WHERE NEW.\(column) <> ''
                ON CONFLICT (owner, day) DO UPDATE
                SET cost_usd = usage_daily.cost_usd + excluded.cost_usd, tokens = usage_daily.tokens + excluded.tokens;
                """
            }.joined(separator: "\n")
        }
        let newTokens = "NEW.prompt_tokens + NEW.completion_tokens"
        let oldTokens = "OLD.prompt_tokens + OLD.completion_tokens"
        return [
            """
            CREATE TRIGGER usage_minutes_added AFTER INSERT ON usage_minutes
            BEGIN
            \(upserts(cost: "NEW.cost_usd", tokens: newTokens))
            END
            """,
            """
            CREATE TRIGGER usage_minutes_grown AFTER UPDATE ON usage_minutes
            BEGIN
            \(upserts(cost: "NEW.cost_usd - OLD.cost_usd", tokens: "(\(newTokens)) - (\(oldTokens))"))
            END
            """,
        ]
    }
}
