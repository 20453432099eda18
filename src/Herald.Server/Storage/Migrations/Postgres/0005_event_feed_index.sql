-- herald:no-transaction
-- The stream's read order, built without blocking writers.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_feed ON events (xact_id, seq);
