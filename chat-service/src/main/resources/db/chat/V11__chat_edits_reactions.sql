-- Edits, soft deletes and reactions (chat:edit, chat:delete, chat:react).

-- A deleted message keeps its row (the tombstone, at its seq) without content.
ALTER TABLE chat_messages ALTER COLUMN content DROP NOT NULL;
ALTER TABLE chat_messages ADD COLUMN edited_at  TIMESTAMPTZ;
ALTER TABLE chat_messages ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE chat_messages ADD COLUMN deleted_by TEXT;

-- Every edit's previous content; removed with the content when the message is deleted.
CREATE TABLE chat_message_edits (
    message_id       UUID        NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    previous_content TEXT        NOT NULL,
    edited_at        TIMESTAMPTZ NOT NULL,
    edited_by        TEXT        NOT NULL
);
CREATE INDEX chat_message_edits_message ON chat_message_edits (message_id, edited_at);

CREATE TABLE chat_reactions (
    message_id UUID        NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    user_id    TEXT        NOT NULL,
    emoji      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, user_id, emoji)
);
