-- Full-text search over message content (English stemming: "integrals" finds "integral").
-- A deleted message has no content, so nothing of it is found.
ALTER TABLE chat_messages
    ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(content, ''))) STORED;
CREATE INDEX chat_messages_search ON chat_messages USING GIN (search);

-- A thread's replies (replyTo chains).
CREATE INDEX chat_messages_reply_to ON chat_messages (reply_to) WHERE reply_to IS NOT NULL;
