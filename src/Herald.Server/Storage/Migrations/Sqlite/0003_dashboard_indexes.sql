-- Indexes for the delivery log and the dashboard's charts, so the newest-first pages (overall, per webhook, per
-- status, per account) and the per-minute attempt statistics read an index range instead of sorting or scanning
-- every delivery. Each ends with id, so ties in created_at need no sort and the statistics read delivery ids from
-- the index alone; attempts_started covers what the statistics read of an attempt.
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at, id);
CREATE INDEX IF NOT EXISTS deliveries_webhook_created ON deliveries (webhook_id, created_at, id);
CREATE INDEX IF NOT EXISTS deliveries_status_created ON deliveries (status, created_at, id);
CREATE INDEX IF NOT EXISTS deliveries_account_created ON deliveries (account_id, created_at, id);
DROP INDEX IF EXISTS deliveries_account;
CREATE INDEX IF NOT EXISTS attempts_started ON attempts (started_at, delivery_id, status_code, duration_ms);
-- Covered by deliveries_webhook_created: one index fewer to rewrite on every delivery update.
DROP INDEX IF EXISTS deliveries_webhook;
