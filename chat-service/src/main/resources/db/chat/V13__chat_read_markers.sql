-- Read markers (chat:read): the last seq of the room's stream each member has read.
-- A new member starts at the seq of their own join, so earlier history is not "unread".
ALTER TABLE chat_members ADD COLUMN last_read_seq BIGINT NOT NULL DEFAULT 0;
