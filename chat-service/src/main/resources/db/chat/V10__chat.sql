-- chat-service's tables, in db/chat (mesh-runtime reads its service's own folder). V1 is mesh-runtime's (outbox, idempotency, stream seqs).

CREATE TABLE chat_rooms (
    id                TEXT        PRIMARY KEY,
    name              TEXT        NOT NULL,
    type              TEXT        NOT NULL CHECK (type IN ('public', 'private', 'study_group', 'direct')),
    description       TEXT,
    max_members       INT         NOT NULL DEFAULT 100,
    slow_mode_seconds INT         NOT NULL DEFAULT 0,
    created_by        TEXT        NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The room list reads public rooms on every call.
CREATE INDEX chat_rooms_public ON chat_rooms (created_at) WHERE type = 'public';

CREATE TABLE chat_members (
    room_id   TEXT        NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id   TEXT        NOT NULL,
    user_name TEXT        NOT NULL,
    role      TEXT        NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
-- "Rooms I am a member of" for the room list.
CREATE INDEX chat_members_user ON chat_members (user_id);

CREATE TABLE chat_messages (
    id         UUID        PRIMARY KEY,
    room_id    TEXT        NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    seq        BIGINT      NOT NULL,
    user_id    TEXT        NOT NULL,
    user_name  TEXT        NOT NULL,
    content    TEXT        NOT NULL,
    type       TEXT        NOT NULL DEFAULT 'text',
    reply_to   UUID,
    mentions   TEXT[]      NOT NULL DEFAULT '{}',
    client_ref TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The unique index also serves history pages and replays by (room_id, seq).
    CONSTRAINT chat_messages_room_seq UNIQUE (room_id, seq)
);
