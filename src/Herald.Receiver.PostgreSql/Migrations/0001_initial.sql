SELECT pg_advisory_xact_lock(7262351);
CREATE TABLE IF NOT EXISTS herald_inbox (
    event_id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    body BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_by TEXT NULL,
    locked_until BIGINT NULL,
    processed_at BIGINT NULL,
    parked_at BIGINT NULL,
    last_error TEXT NULL
);
CREATE INDEX IF NOT EXISTS herald_inbox_due ON herald_inbox (next_attempt_at) WHERE processed_at IS NULL AND parked_at IS NULL;
CREATE TABLE IF NOT EXISTS herald_object_versions (
    object_id TEXT NOT NULL PRIMARY KEY,
    last_created_at BIGINT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS herald_partner_connections (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    app_id TEXT NULL,
    connected BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    reason TEXT NULL,
    event_id TEXT NULL
);
