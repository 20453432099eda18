-- The W3C traceparent of the span that ingested each event: its deliveries' attempts, however much later and on
-- whichever node, are children of it and send its trace id to the endpoint. Events stored before have none.
ALTER TABLE events ADD COLUMN trace_parent TEXT NULL;
