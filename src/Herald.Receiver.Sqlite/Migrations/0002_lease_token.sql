-- Each claim gets its own token; completing, failing, releasing and renewing an event require the current one,
-- so a worker whose claim was taken over cannot change the event (before, ownership was per process).
ALTER TABLE herald_inbox ADD COLUMN lease_token TEXT NULL;
