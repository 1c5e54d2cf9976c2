-- Attachments: uploaded to a room by a member, then carried by one of their messages.
-- The bytes live in the chat database (AttachmentStorage is the seam for an object store).
CREATE TABLE chat_attachments (
    id           UUID        PRIMARY KEY,
    room_id      TEXT        NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    uploader_id  TEXT        NOT NULL,
    name         TEXT        NOT NULL,
    content_type TEXT        NOT NULL,
    size         BIGINT      NOT NULL,
    sha256       TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX chat_attachments_room ON chat_attachments (room_id);

CREATE TABLE chat_attachment_data (
    attachment_id UUID  PRIMARY KEY REFERENCES chat_attachments (id) ON DELETE CASCADE,
    data          BYTEA NOT NULL
);

ALTER TABLE chat_messages ADD COLUMN attachment_id   UUID;
ALTER TABLE chat_messages ADD COLUMN attachment_name TEXT;
ALTER TABLE chat_messages ADD COLUMN attachment_type TEXT;
ALTER TABLE chat_messages ADD COLUMN attachment_size BIGINT;
-- A file belongs to one message: deleting the message deletes the file with its content.
CREATE UNIQUE INDEX chat_messages_attachment ON chat_messages (attachment_id) WHERE attachment_id IS NOT NULL;
