-- Moderation (chat:moderate): mutes expire by time, compared with until_at when a muted user acts.
CREATE TABLE chat_mutes (
    room_id  TEXT        NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id  TEXT        NOT NULL,
    until_at TIMESTAMPTZ NOT NULL,
    muted_by TEXT        NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
