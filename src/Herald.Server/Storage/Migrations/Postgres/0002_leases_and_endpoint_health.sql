-- Per-claim lease tokens: an outcome is written only where the node still holds the lease it claimed with.
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS lease_token BIGINT NULL;
-- When a webhook started failing without a success since (cleared by a success); drives auto-disable.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS failing_since BIGINT NULL;
-- Room on each page for the lease and status updates of a delivery to stay heap-only (HOT): no index rewrite.
ALTER TABLE deliveries SET (fillfactor = 80);
-- Retention walks events by age; deliveries and attempts follow their event.
CREATE INDEX IF NOT EXISTS events_ingested ON events (ingested_at);
