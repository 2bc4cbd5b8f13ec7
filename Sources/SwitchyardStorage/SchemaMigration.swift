import Foundation
import SQLKit
import SwitchyardCore

/// One versioned change to the database schema. Versions only grow; an applied migration is never edited.
struct SchemaMigration: Sendable {
    let version: Int
    let name: String
    let apply: @Sendable (any SQLDatabase) async throws -> Void

    /// Every migration, in order.
    static let all: [SchemaMigration] = [
        SchemaMigration(version: 1, name: "gateway settings") { database in
            try await database.create(table: "gateway_settings")
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("value", type: .text, .notNull)
                .run()
        },
        SchemaMigration(version: 2, name: "teams and virtual keys") { database in
            try await database.create(table: "teams")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("models", type: .text)
                .column("limits", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("deleted_at", type: .text)
                .run()
            try await database.raw("CREATE UNIQUE INDEX teams_active_name ON teams (name) WHERE deleted_at IS NULL").run()
            try await database.create(table: "virtual_keys")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("prefix", type: .text, .notNull)
                .column("digest", type: .text, .notNull)
                .column("team_id", type: .text, .references("teams", "id"))
                .column("models", type: .text)
                .column("limits", type: .text, .notNull)
                .column("expires_at", type: .text)
                .column("metadata", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("deleted_at", type: .text)
                .run()
            try await database.raw("CREATE UNIQUE INDEX virtual_keys_digest ON virtual_keys (digest)").run()
            try await database.raw("CREATE UNIQUE INDEX virtual_keys_active_name ON virtual_keys (name) WHERE deleted_at IS NULL").run()
        },
        SchemaMigration(version: 3, name: "usage records") { database in
            try await database.create(table: "usage_records")
                .column("request_id", type: .text, .notNull)
                .column("key_id", type: .text)
                .column("team_id", type: .text)
                .column("model", type: .text, .notNull)
                .column("target", type: .text)
                .column("prompt_tokens", type: .bigint, .notNull)
                .column("completion_tokens", type: .bigint, .notNull)
                .column("cached_tokens", type: .bigint, .notNull)
                .column("cost_usd", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("latency_ms", type: .bigint, .notNull)
                .column("status", type: .bigint, .notNull)
                .column("time", type: .text, .notNull)
                .column("day", type: .text, .notNull)
                .run()
            try await database.raw("CREATE INDEX usage_records_time ON usage_records (time)").run()
            try await database.raw("CREATE INDEX usage_records_key ON usage_records (key_id, time)").run()
            try await database.raw("CREATE INDEX usage_records_team ON usage_records (team_id, time)").run()
        },
        SchemaMigration(version: 4, name: "rate-limit counters per replica") { database in
            try await database.create(table: "rate_counters")
                .column("replica_id", type: .text, .notNull)
                .column("scope", type: .text, .notNull)
                .column("requests", type: .bigint, .notNull)
                .column("tokens", type: .bigint, .notNull)
                .column("updated_at", type: .text, .notNull)
                .primaryKey("replica_id", "scope")
                .run()
        },
        SchemaMigration(version: 5, name: "request log") { database in
            try await database.create(table: "request_logs")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("request_id", type: .text, .notNull)
                .column("time", type: .text, .notNull)
                .column("method", type: .text, .notNull)
                .column("path", type: .text, .notNull)
                .column("status", type: .bigint, .notNull)
                .column("key_id", type: .text)
                .column("team_id", type: .text)
                .column("model", type: .text)
                .column("target", type: .text)
                .column("attempts", type: .bigint, .notNull)
                .column("stream", type: .bigint, .notNull)
                .column("prompt_tokens", type: .bigint, .notNull)
                .column("completion_tokens", type: .bigint, .notNull)
                .column("cached_tokens", type: .bigint, .notNull)
                .column("cost_usd", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("latency_ms", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("ttft_ms", type: .custom(SQLRaw("DOUBLE PRECISION")))
                .column("overhead_ms", type: .custom(SQLRaw("DOUBLE PRECISION")))
                .column("error", type: .text)
                .column("request_body", type: .text)
                .column("response_body", type: .text)
                .run()
            try await database.raw("CREATE INDEX request_logs_time ON request_logs (time)").run()
            try await database.raw("CREATE INDEX request_logs_request ON request_logs (request_id)").run()
            try await database.raw("CREATE INDEX request_logs_key ON request_logs (key_id, id)").run()
            try await database.raw("CREATE INDEX request_logs_team ON request_logs (team_id, id)").run()
        },
        SchemaMigration(version: 6, name: "responses and idempotency keys") { database in
            try await database.create(table: "responses")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("scope", type: .text, .notNull)
                .column("model", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("previous_response_id", type: .text)
                .column("depth", type: .bigint, .notNull)
                .column("background", type: .bigint, .notNull)
                .column("request", type: .text, .notNull)
                .column("input_items", type: .text, .notNull)
                .column("response", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("updated_at", type: .text, .notNull)
                .run()
            try await database.create(table: "idempotency_keys")
                .column("scope", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("fingerprint", type: .text, .notNull)
                .column("status", type: .bigint)
                .column("content_type", type: .text)
                .column("body", type: .text)
                .column("created_at", type: .text, .notNull)
                .primaryKey("scope", "key")
                .run()
        },
        SchemaMigration(version: 7, name: "daily spend per key and team") { database in
            try await database.create(table: "usage_daily")
                .column("owner", type: .text, .notNull)
                .column("day", type: .text, .notNull)
                .column("cost_usd", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("tokens", type: .bigint, .notNull)
                .primaryKey("owner", "day")
                .run()
            try await database.raw("CREATE INDEX usage_daily_day ON usage_daily (day)").run()
            for (column, prefix) in [("key_id", "key:"), ("team_id", "team:")] {
                try await database.raw(
                    """
                    INSERT INTO usage_daily (owner, day, cost_usd, tokens)
                    SELECT '\(unsafeRaw: prefix)' || \(unsafeRaw: column), day, SUM(cost_usd), SUM(prompt_tokens + completion_tokens)
                    FROM usage_records WHERE \(unsafeRaw: column) IS NOT NULL GROUP BY \(unsafeRaw: column), day
                    """
                ).run()
            }
            for statement in UsageRollup.recordTriggerStatements(dialect: database.dialect.name) {
                try await database.raw("\(unsafeRaw: statement)").run()
            }
        },
        SchemaMigration(version: 8, name: "key directory revision") { database in
            try await database.create(table: "revisions")
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("revision", type: .bigint, .notNull)
                .run()
            try await database.raw("INSERT INTO revisions (name, revision) VALUES ('keys', 0)").run()
            for statement in KeyRevision.triggerStatements(dialect: database.dialect.name) {
                try await database.raw("\(unsafeRaw: statement)").run()
            }
        },
        SchemaMigration(version: 9, name: "response cache") { database in
            // `vector` is the embedding as float32 little-endian bytes (BLOB on SQLite, BYTEA on PostgreSQL).
            try await database.create(table: "cache_entries")
                .column("scope", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("model", type: .text, .notNull)
                .column("body", type: .text, .notNull)
                .column("context", type: .text)
                .column("vector", type: .blob)
                .column("created_at", type: .text, .notNull)
                .column("expires_at", type: .text, .notNull)
                .primaryKey("scope", "key")
                .run()
            try await database.raw("CREATE INDEX cache_entries_context ON cache_entries (scope, model, context)").run()
            try await database.raw("CREATE INDEX cache_entries_expiry ON cache_entries (expires_at)").run()
            try await database.raw("CREATE INDEX cache_entries_model ON cache_entries (model)").run()
            try await database.create(table: "cache_versions")
                .column("scope", type: .text, .primaryKey(autoIncrement: false))
                .column("version", type: .bigint, .notNull)
                .run()
        },
        SchemaMigration(version: 10, name: "cached answers in usage and request logs") { database in
            try await database.alter(table: "usage_records").column("cached", type: .int, .notNull, .default(0)).run()
            try await database.alter(table: "request_logs").column("cache", type: .text).run()
        },
        SchemaMigration(version: 11, name: "conversations") { database in
            // `next_position` is where the next appended item goes: an append reserves its places with one update.
            try await database.create(table: "conversations")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("scope", type: .text, .notNull)
                .column("metadata", type: .text, .notNull)
                .column("next_position", type: .bigint, .notNull)
                .column("created_at", type: .text, .notNull)
                .run()
            try await database.create(table: "conversation_items")
                .column("conversation_id", type: .text, .notNull)
                .column("position", type: .bigint, .notNull)
                .column("id", type: .text, .notNull)
                .column("item", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .primaryKey("conversation_id", "position")
                .run()
            try await database.raw("CREATE UNIQUE INDEX conversation_items_id ON conversation_items (conversation_id, id)").run()
        },
        SchemaMigration(version: 12, name: "context summaries and turn embeddings") { database in
            try await database.create(table: "context_summaries")
                .column("scope", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("summary", type: .text, .notNull)
                .column("turns", type: .bigint, .notNull)
                .column("created_at", type: .text, .notNull)
                .primaryKey("scope", "key")
                .run()
            try await database.raw("CREATE INDEX context_summaries_created ON context_summaries (created_at)").run()
            try await database.create(table: "context_embeddings")
                .column("scope", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("vector", type: .blob, .notNull)
                .column("created_at", type: .text, .notNull)
                .primaryKey("scope", "key")
                .run()
            try await database.raw("CREATE INDEX context_embeddings_created ON context_embeddings (created_at)").run()
        },
        SchemaMigration(version: 13, name: "long-term memories") { database in
            try await database.create(table: "memories")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("scope", type: .text, .notNull)
                .column("user_name", type: .text, .notNull)
                .column("text", type: .text, .notNull)
                .column("vector", type: .blob, .notNull)
                .column("created_at", type: .text, .notNull)
                .run()
            try await database.raw("CREATE INDEX memories_user ON memories (scope, user_name)").run()
            // When each user was last forgotten (`*` as the scope: by the operator, in every tenant).
            try await database.create(table: "memory_forgets")
                .column("scope", type: .text, .notNull)
                .column("user_name", type: .text, .notNull)
                .column("forgotten_at", type: .text, .notNull)
                .primaryKey("scope", "user_name")
                .run()
        },
        SchemaMigration(version: 14, name: "files") { database in
            try await database.create(table: "files")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("scope", type: .text, .notNull)
                .column("filename", type: .text, .notNull)
                .column("purpose", type: .text, .notNull)
                .column("bytes", type: .bigint, .notNull)
                .column("content", type: .blob, .notNull)
                .column("created_at", type: .text, .notNull)
                .run()
            try await database.raw("CREATE INDEX files_scope ON files (scope, created_at)").run()
        },
        SchemaMigration(version: 15, name: "vector stores") { database in
            // `version` moves whenever what search sees of the store changes (see `KnowledgeStore`).
            try await database.create(table: "vector_stores")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("scope", type: .text, .notNull)
                .column("name", type: .text, .notNull)
                .column("metadata", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("created_at", type: .text, .notNull)
                .run()
            try await database.raw("CREATE INDEX vector_stores_scope ON vector_stores (scope, created_at)").run()
            // `claimed_until`: until when a worker holds the file for ingestion; `claim_token`: which claim it is.
            try await database.create(table: "vector_store_files")
                .column("store_id", type: .text, .notNull)
                .column("file_id", type: .text, .notNull)
                .column("filename", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("last_error", type: .text)
                .column("max_chunk_tokens", type: .bigint, .notNull)
                .column("overlap_tokens", type: .bigint, .notNull)
                .column("attributes", type: .text, .notNull)
                .column("usage_bytes", type: .bigint, .notNull)
                .column("key_id", type: .text)
                .column("claimed_until", type: .text)
                .column("claim_token", type: .text)
                .column("created_at", type: .text, .notNull)
                .primaryKey("store_id", "file_id")
                .run()
            try await database.raw("CREATE INDEX vector_store_files_pending ON vector_store_files (status, claimed_until)").run()
            try await database.raw("CREATE INDEX vector_store_files_created ON vector_store_files (store_id, created_at)").run()
            // `vector` is the embedding as float32 little-endian bytes, empty when there is none. Full-text search:
            // on PostgreSQL a generated tsvector with a GIN index; on SQLite an FTS5 table whose rowid is the
            // chunk's id (AUTOINCREMENT, so an id is never reused while a stray full-text row may still hold it).
            let statements: [String] =
                if database.dialect.name == "postgresql" {
                    [
                        """
                        CREATE TABLE vector_store_chunks (
                            id BIGSERIAL PRIMARY KEY, store_id TEXT NOT NULL, file_id TEXT NOT NULL, position BIGINT NOT NULL,
                            text TEXT NOT NULL, vector BYTEA NOT NULL,
                            tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
                        )
                        """,
                        "CREATE INDEX vector_store_chunks_tsv ON vector_store_chunks USING GIN (tsv)",
                    ]
                } else {
                    [
                        """
                        CREATE TABLE vector_store_chunks (
                            id INTEGER PRIMARY KEY AUTOINCREMENT, store_id TEXT NOT NULL, file_id TEXT NOT NULL,
                            position BIGINT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL
                        )
                        """,
                        "CREATE VIRTUAL TABLE vector_store_chunks_fts USING fts5(text, tokenize='porter unicode61')",
                    ]
                }
            for statement in statements {
                try await database.raw("\(unsafeRaw: statement)").run()
            }
            try await database.raw("CREATE INDEX vector_store_chunks_file ON vector_store_chunks (store_id, file_id)").run()
        },
        SchemaMigration(version: 16, name: "guardrails in request logs") { database in
            try await database.alter(table: "request_logs").column("guardrails", type: .text).run()
        },
        SchemaMigration(version: 17, name: "guardrails on keys and teams") { database in
            try await database.alter(table: "virtual_keys").column("guardrails", type: .text).run()
            try await database.alter(table: "teams").column("guardrails", type: .text).run()
        },
        SchemaMigration(version: 18, name: "prompt templates") { database in
            // `teams` is a JSON array of team ids; `subscription_required` and `configured` are 0 or 1.
            try await database.create(table: "prompts")
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("state", type: .text, .notNull)
                .column("active_version", type: .bigint, .notNull)
                .column("visibility", type: .text, .notNull)
                .column("teams", type: .text, .notNull)
                .column("subscription_required", type: .bigint, .notNull)
                .column("sunset", type: .text)
                .column("configured", type: .bigint, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("updated_at", type: .text, .notNull)
                .run()
            try await database.create(table: "prompt_versions")
                .column("prompt", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("definition", type: .text, .notNull)
                .column("created_by", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .primaryKey("prompt", "version")
                .run()
            try await database.create(table: "prompt_subscriptions")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("prompt", type: .text, .notNull)
                .column("team_id", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("requested_by", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("decided_at", type: .text)
                .run()
            try await database.raw("CREATE INDEX prompt_subscriptions_team ON prompt_subscriptions (prompt, team_id)").run()
            try await database.raw("CREATE INDEX prompt_subscriptions_status ON prompt_subscriptions (status, created_at)").run()
            // `id` grows with each event (AUTOINCREMENT on SQLite, so an id is never reused): the history's order.
            let eventID = database.dialect.name == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
            try await database.create(table: "prompt_events")
                .column("id", type: .custom(SQLRaw(eventID)))
                .column("prompt", type: .text, .notNull)
                .column("action", type: .text, .notNull)
                .column("version", type: .bigint)
                .column("actor", type: .text, .notNull)
                .column("time", type: .text, .notNull)
                .column("detail", type: .text)
                .run()
            try await database.raw("CREATE INDEX prompt_events_prompt ON prompt_events (prompt, id)").run()
            // Which prompt (and version) a request ran, for usage by prompt and the request log. The index holds only
            // the runs of prompts, so it stays small on a large table.
            try await database.alter(table: "usage_records").column("prompt", type: .text).run()
            try await database.alter(table: "usage_records").column("prompt_version", type: .bigint).run()
            try await database.raw("CREATE INDEX usage_records_prompt ON usage_records (prompt, time) WHERE prompt IS NOT NULL").run()
            try await database.alter(table: "request_logs").column("prompt", type: .text).run()
        },
        SchemaMigration(version: 19, name: "request statistics and UI sessions") { database in
            // One row per UTC minute (`YYYY-MM-DDTHH:MM`, so text order is time order), model, target, key and team
            // (empty strings for none, so the primary key holds them); the key's first column serves ranges of
            // minutes. `latency_N` and `ttft_N` count durations in `LatencyHistogram` buckets.
            let create = database.create(table: "request_stats")
                .column("minute", type: .text, .notNull)
                .column("model", type: .text, .notNull)
                .column("target", type: .text, .notNull)
                .column("key_id", type: .text, .notNull)
                .column("team_id", type: .text, .notNull)
                .column("requests", type: .bigint, .notNull)
                .column("errors", type: .bigint, .notNull)
                .column("prompt_tokens", type: .bigint, .notNull)
                .column("completion_tokens", type: .bigint, .notNull)
                .column("cached_tokens", type: .bigint, .notNull)
                .column("cost_usd", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("cache_lookups", type: .bigint, .notNull)
                .column("cache_hits", type: .bigint, .notNull)
            for prefix in ["latency", "ttft"] {
                for index in 0..<LatencyHistogram.bucketCount {
                    let name = "\(prefix)_\(index)"
                    create.column(name, type: .bigint, .notNull, .default(0))
                }
            }
            try await create.primaryKey("minute", "model", "target", "key_id", "team_id").run()
            // `digest` is the SHA-256 of the session cookie's value.
            try await database.create(table: "ui_sessions")
                .column("digest", type: .text, .primaryKey(autoIncrement: false))
                .column("csrf_token", type: .text, .notNull)
                .column("key_digest", type: .text, .notNull)
                .column("created_at", type: .text, .notNull)
                .column("expires_at", type: .text, .notNull)
                .run()
            try await database.raw("CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at)").run()
        },
        SchemaMigration(version: 20, name: "response leases") { database in
            // Set while a response is queued or in progress, renewed by the replica working on it.
            try await database.raw("ALTER TABLE responses ADD COLUMN lease_expires_at TEXT").run()
            try await database.raw("CREATE INDEX responses_lease ON responses (lease_expires_at)").run()
        },
        SchemaMigration(version: 21, name: "usage per minute") { database in
            // One row per minute, key, team, model, target, status, cache outcome and prompt run, added to as
            // requests finish; `''` and version 0 stand for none, so the primary key holds them. The minute comes
            // first: it serves ranges of time.
            try await database.create(table: "usage_minutes")
                .column("minute", type: .text, .notNull)
                .column("key_id", type: .text, .notNull)
                .column("team_id", type: .text, .notNull)
                .column("model", type: .text, .notNull)
                .column("target", type: .text, .notNull)
                .column("status", type: .bigint, .notNull)
                .column("cached", type: .bigint, .notNull)
                .column("prompt", type: .text, .notNull)
                .column("prompt_version", type: .bigint, .notNull)
                .column("day", type: .text, .notNull)
                .column("requests", type: .bigint, .notNull)
                .column("prompt_tokens", type: .bigint, .notNull)
                .column("completion_tokens", type: .bigint, .notNull)
                .column("cached_tokens", type: .bigint, .notNull)
                .column("cost_usd", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .primaryKey("minute", "key_id", "team_id", "model", "target", "status", "cached", "prompt", "prompt_version", "day")
                .run()
            try await database.raw("CREATE INDEX usage_minutes_key ON usage_minutes (key_id, minute)").run()
            try await database.raw("CREATE INDEX usage_minutes_team ON usage_minutes (team_id, minute)").run()
            let isPostgres = database.dialect.name == "postgresql"
            // Replicas of the previous release still insert per-request rows while the others upgrade: held back
            // during the copy, then folded into the minutes by the table's trigger (which keeps feeding the daily
            // sums too), so none is lost or counted twice. The table goes in a later release.
            if isPostgres { try await database.raw("LOCK TABLE usage_records IN SHARE ROW EXCLUSIVE MODE").run() }
            // The per-request rows become their minutes' sums. The daily sums already hold them.
            try await database.raw("\(unsafeRaw: UsageRollup.minutesFromRecords(source: "usage_records", rowValues: nil))").run()
            if isPostgres {
                try await database.raw("\(unsafeRaw: UsageRollup.recordFoldingFunction())").run()
            } else {
                try await database.raw("DROP TRIGGER usage_records_rollup").run()
                for statement in UsageRollup.minuteTriggerStatements() + [UsageRollup.recordFoldingTrigger()] {
                    try await database.raw("\(unsafeRaw: statement)").run()
                }
            }
        },
        SchemaMigration(version: 22, name: "request log found by id") { database in
            // Ids sort by time: ranges of time and pruning are ranges of the primary key, so the time index only
            // cost every write.
            try await database.raw("DROP INDEX request_logs_time").run()
        },
    ]

    /// Applies, in order, each migration newer than what the database records, recording each as it goes.
    static func migrate(_ database: any SQLDatabase, migrations: [SchemaMigration] = all) async throws {
        try await database.create(table: "switchyard_migrations")
            .ifNotExists()
            .column("version", type: .bigint, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("applied_at", type: .text, .notNull)
            .run()
        let applied = try await database.select().column("version").from("switchyard_migrations").all()
            .map { try $0.decode(column: "version", as: Int.self) }
        let newest = applied.max() ?? 0
        for migration in migrations where migration.version > newest {
            try await migration.apply(database)
            try await database.insert(into: "switchyard_migrations")
                .columns("version", "name", "applied_at")
                .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Self.timestamp()))
                .run()
        }
    }

    private static func timestamp() -> String {
        Date().ISO8601Format()
    }
}
