-- Tables of mesh-runtime, present in every service database.

-- Transactional outbox: rows written in the transaction of the change they announce,
-- published in id order by the one elected relay (ARCHITECTURE §5).
CREATE TABLE mesh_outbox (
    id           BIGSERIAL PRIMARY KEY,
    topic        TEXT        NOT NULL,
    record_key   TEXT,
    audience     TEXT,
    payload      TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);
CREATE INDEX mesh_outbox_unpublished ON mesh_outbox (id) WHERE published_at IS NULL;

-- Wake the relay when rows commit (NOTIFY is delivered at commit, never for a rollback).
CREATE FUNCTION mesh_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mesh_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER mesh_outbox_inserted AFTER INSERT ON mesh_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mesh_outbox_notify();

-- Idempotency: one row per (user, command id), written with the change; errors are not stored.
CREATE TABLE mesh_processed_commands (
    user_id      TEXT        NOT NULL,
    command_id   TEXT        NOT NULL,
    type         TEXT        NOT NULL,
    payload_hash TEXT        NOT NULL,
    result       TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, command_id)
);
CREATE INDEX mesh_processed_commands_created ON mesh_processed_commands (created_at);

-- Per-stream sequence: UPDATE … RETURNING in the change's transaction gives one total order per stream.
CREATE TABLE mesh_streams (
    stream_id TEXT   PRIMARY KEY,
    last_seq  BIGINT NOT NULL DEFAULT 0
);
