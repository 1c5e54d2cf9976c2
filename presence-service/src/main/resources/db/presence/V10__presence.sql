-- presence-service's tables, in db/presence (mesh-runtime's V1 holds the outbox, idempotency and stream seqs).
-- Times are epoch milliseconds (BIGINT). Timers are columns, not memory: any instance's scanner
-- finds them after a restart or a rebalance (ARCHITECTURE §5 "Timers belong to the database").

CREATE TABLE presence_users (
    user_id          TEXT    PRIMARY KEY,
    name             TEXT,
    set_status       TEXT    CHECK (set_status IN ('away', 'busy')),
    text             TEXT,
    emoji            TEXT,
    text_expires_at  BIGINT,
    published_status TEXT    NOT NULL DEFAULT 'offline' CHECK (published_status IN ('online', 'away', 'busy', 'offline')),
    last_seen_at     BIGINT,
    offline_due_at   BIGINT,
    privacy          TEXT    NOT NULL DEFAULT 'everyone' CHECK (privacy IN ('everyone', 'co_members', 'nobody')),
    updated_at       BIGINT  NOT NULL DEFAULT 0
);
-- The scanner's three timers.
CREATE INDEX presence_users_offline_due ON presence_users (offline_due_at) WHERE offline_due_at IS NOT NULL;
CREATE INDEX presence_users_text_expiry ON presence_users (text_expires_at) WHERE text_expires_at IS NOT NULL;
CREATE INDEX presence_users_auto_away ON presence_users (user_id) WHERE published_status = 'online' AND set_status IS NULL;

CREATE TABLE presence_sessions (
    session_id     TEXT   PRIMARY KEY,
    user_id        TEXT   NOT NULL,
    instance_id    TEXT   NOT NULL,
    boot_id        TEXT   NOT NULL,
    opened_at      BIGINT NOT NULL,
    last_active_at BIGINT NOT NULL
);
CREATE INDEX presence_sessions_user ON presence_sessions (user_id);
CREATE INDEX presence_sessions_boot ON presence_sessions (instance_id, boot_id);

CREATE TABLE presence_boots (
    instance_id       TEXT   NOT NULL,
    boot_id           TEXT   NOT NULL,
    last_heartbeat_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, boot_id)
);
CREATE INDEX presence_boots_heartbeat ON presence_boots (last_heartbeat_at);

-- Projection of chat membership (chat.events), for the co-member rule and room online counts.
CREATE TABLE presence_room_members (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX presence_room_members_user ON presence_room_members (user_id, room_id);
