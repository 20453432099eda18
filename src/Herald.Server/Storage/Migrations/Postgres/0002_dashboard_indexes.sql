-- Indexes for the delivery log and the dashboard's charts, so the newest-first pages (overall, per webhook, per
-- status) and the per-minute attempt statistics read an index range instead of sorting or scanning every delivery.
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at, id);
CREATE INDEX IF NOT EXISTS deliveries_webhook_created ON deliveries (webhook_id, created_at, id);
CREATE INDEX IF NOT EXISTS deliveries_status_created ON deliveries (status, created_at, id);
CREATE INDEX IF NOT EXISTS attempts_started ON attempts (started_at);
