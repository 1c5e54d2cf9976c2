-- Room administration: invitations, file permission, and the last post time slow mode checks.

ALTER TABLE chat_rooms ADD COLUMN allow_files BOOLEAN NOT NULL DEFAULT true;

-- Slow mode compares a member's next message with their last one under the member row's lock.
ALTER TABLE chat_members ADD COLUMN last_posted_at TIMESTAMPTZ;

-- An invitation lets its user join a private room or study group; joining uses it up.
CREATE TABLE chat_invites (
    room_id    TEXT        NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id    TEXT        NOT NULL,
    invited_by TEXT        NOT NULL,
    invited_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
-- "My invitations".
CREATE INDEX chat_invites_user ON chat_invites (user_id, invited_at);
