-- The W3C traceparent of the command whose transaction wrote the row (null outside a traced
-- command): the relay sends it as a Kafka header, so one trace spans gateway → service →
-- outbox → every receiving gateway (ARCHITECTURE §7). Applied out of order on databases whose
-- service migrations (V10 on) already ran, like V2.
ALTER TABLE mesh_outbox ADD COLUMN trace_parent TEXT;

