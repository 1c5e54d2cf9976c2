-- The stream event log: every event published on a persisted stream with its seq, written in
-- the transaction of the change (CommandContext.publish), so a resume by seq can replay events
-- of every kind (messages, membership, …), not just the ones a service keeps in its own tables
-- (ARCHITECTURE §4.5, §5). The primary key serves the replay (stream_id, seq > n ORDER BY seq).
-- Services migrated before this version apply it out of order (spring.flyway.out-of-order in
-- mesh-defaults.properties): their own migrations start at V10.
CREATE TABLE mesh_stream_events (
    stream_id  TEXT        NOT NULL,
    seq        BIGINT      NOT NULL,
    type       TEXT        NOT NULL,
    data       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, seq)
);
