-- Per-claim lease tokens: an outcome is written only where the node still holds the lease it claimed with.
ALTER TABLE deliveries ADD COLUMN lease_token INTEGER NULL;
-- When a webhook started failing without a success since (cleared by a success); drives auto-disable.
ALTER TABLE webhooks ADD COLUMN failing_since INTEGER NULL;
-- Retention walks events by age; deliveries and attempts follow their event.
CREATE INDEX IF NOT EXISTS events_ingested ON events (ingested_at);
