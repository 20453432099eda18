-- The claim walks due deliveries in order and skips those an attempt holds (leased). With lease_expires_at and
-- webhook_id in the index it picks without reading a row; the claim names this index (INDEXED BY), since SQLite
-- without statistics preferred deliveries_status_created and read every queued delivery on every claim.
DROP INDEX IF EXISTS deliveries_due;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at, id, lease_expires_at, webhook_id) WHERE status = 'queued';
