CREATE TABLE IF NOT EXISTS herald_inbox (
    event_id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_by TEXT NULL,
    locked_until INTEGER NULL,
    processed_at INTEGER NULL,
    parked_at INTEGER NULL,
    last_error TEXT NULL
);
CREATE INDEX IF NOT EXISTS herald_inbox_due ON herald_inbox (next_attempt_at) WHERE processed_at IS NULL AND parked_at IS NULL;
CREATE TABLE IF NOT EXISTS herald_object_versions (
    object_id TEXT NOT NULL PRIMARY KEY,
    last_created_at INTEGER NOT NULL,
    event_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS herald_partner_connections (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    app_id TEXT NULL,
    connected INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    reason TEXT NULL,
    event_id TEXT NULL
);
