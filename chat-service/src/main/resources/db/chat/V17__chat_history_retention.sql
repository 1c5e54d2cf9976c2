-- History retention per room (FEATURES: historyRetentionDays, default 365): older messages,
-- and the stream events a resume would replay, are deleted by the retention sweep.
ALTER TABLE chat_rooms ADD COLUMN history_retention_days INT NOT NULL DEFAULT 365
    CHECK (history_retention_days BETWEEN 1 AND 3650);
CREATE INDEX chat_messages_created ON chat_messages (created_at);
