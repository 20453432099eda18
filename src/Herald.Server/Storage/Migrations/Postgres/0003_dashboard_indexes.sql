-- herald:no-transaction
-- Indexes for the delivery log and the dashboard's charts, so the newest-first pages (overall, per webhook, per
-- status, per account) and the per-minute attempt statistics read an index range instead of sorting or scanning
-- every delivery. Built CONCURRENTLY, one statement at a time: nodes keep writing while a large table is indexed.
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_created ON deliveries (created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_webhook_created ON deliveries (webhook_id, created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_status_created ON deliveries (status, created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_account_created ON deliveries (account_id, created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS attempts_started ON attempts (started_at, delivery_id, status_code, duration_ms);
-- Covered by the indexes above: one index fewer to rewrite on every delivery update.
DROP INDEX CONCURRENTLY IF EXISTS deliveries_account;
DROP INDEX CONCURRENTLY IF EXISTS deliveries_webhook;
