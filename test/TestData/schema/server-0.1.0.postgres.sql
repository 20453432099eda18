-- The schema Herald 0.1.0 (commit 18c2709) created with CREATE TABLE IF NOT EXISTS, before versioned migrations.
-- Kept verbatim so the upgrade test starts from a real database of that release.
SELECT pg_advisory_xact_lock(79462569954372);
CREATE TABLE IF NOT EXISTS organizations (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, org_id TEXT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY, key_hash BYTEA NOT NULL UNIQUE, account_id TEXT NULL, org_id TEXT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, client_id TEXT NOT NULL UNIQUE, client_secret_hash BYTEA NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS connections (
  account_id TEXT NOT NULL, app_id TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, app_id));
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY, account_id TEXT NULL, app_id TEXT NULL, url TEXT NOT NULL, event_list TEXT NOT NULL, all_events BOOLEAN NOT NULL,
  secret TEXT NULL, next_secret TEXT NULL, next_secret_at BIGINT NULL, status TEXT NOT NULL, disabled_reason TEXT NULL,
  description TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
  created_at BIGINT NOT NULL, version TEXT NULL, content_hash BYTEA NOT NULL, body BYTEA NOT NULL, ingested_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY, event_id TEXT NOT NULL, event_name TEXT NOT NULL, webhook_id TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
  event_account_id TEXT NULL, status TEXT NOT NULL, attempt_count INTEGER NOT NULL, round_attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NULL, lease_owner TEXT NULL, lease_expires_at BIGINT NULL, retriggered BOOLEAN NOT NULL,
  last_status_code INTEGER NULL, last_error TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, delivery_id TEXT NOT NULL, number INTEGER NOT NULL, started_at BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL, status_code INTEGER NULL, error TEXT NULL, response_body TEXT NULL);
CREATE INDEX IF NOT EXISTS accounts_org ON accounts (org_id);
CREATE INDEX IF NOT EXISTS connections_app ON connections (app_id);
CREATE INDEX IF NOT EXISTS webhooks_account ON webhooks (account_id);
CREATE INDEX IF NOT EXISTS webhooks_app ON webhooks (app_id);
CREATE INDEX IF NOT EXISTS events_account ON events (account_id, seq);
CREATE INDEX IF NOT EXISTS events_app ON events (app_id, seq);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id);
CREATE INDEX IF NOT EXISTS deliveries_webhook ON deliveries (webhook_id, status);
CREATE INDEX IF NOT EXISTS deliveries_account ON deliveries (account_id, created_at);
CREATE INDEX IF NOT EXISTS deliveries_app ON deliveries (app_id, created_at);
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts (delivery_id);
