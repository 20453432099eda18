-- Each claim gets its own token; completing, failing, releasing and renewing an event require the current one,
-- so a worker whose claim was taken over cannot change the event (before, ownership was per process).
-- Adding a nullable column without a default only touches the catalog: the table lock is held for an instant.
ALTER TABLE herald_inbox ADD COLUMN IF NOT EXISTS lease_token TEXT NULL;
