-- The event stream (GET /api/v1/events/stream) reads events in commit order without gaps: each row records the
-- transaction that wrote it, and a reader only passes transactions older than every one still running. Rows written
-- before this column existed have none and count as the oldest.
ALTER TABLE events ADD COLUMN IF NOT EXISTS xact_id xid8 NULL;
ALTER TABLE events ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();
