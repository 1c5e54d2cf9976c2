-- notification-service's tables, in db/notification (mesh-runtime's migrations hold the outbox,
-- idempotency, stream seqs and the stream event log). Times are epoch milliseconds (BIGINT).

-- One row per notification. (user, source event) is unique: a redelivered event creates nothing, even
-- when the rules would now pick another kind (a DM to a user who has come online since). The seq is
-- set right after the insert, in the same transaction, so a duplicate never takes a seq.
CREATE TABLE notifications (
    id          TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    priority    TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    link        TEXT,
    source_id   TEXT    NOT NULL,
    seq         BIGINT,
    created_at  BIGINT  NOT NULL,
    read_at     BIGINT,
    UNIQUE (user_id, source_id),
    UNIQUE (user_id, seq)
);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Users the service has seen (from the commands the gateway forwards and the HTTP API): names and
-- roles for announcements to everyone or to a role.
CREATE TABLE notification_users (
    user_id    TEXT   PRIMARY KEY,
    name       TEXT,
    roles      TEXT[] NOT NULL DEFAULT '{}',
    seen_at    BIGINT NOT NULL
);

-- Projection of chat.events: rooms (names, owners) and their members.
CREATE TABLE notification_rooms (
    room_id    TEXT PRIMARY KEY,
    name       TEXT,
    created_by TEXT
);
CREATE TABLE notification_room_members (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- Projection of presence.events: online, or offline since a time. Updated only by a newer fact.
CREATE TABLE notification_presence (
    user_id       TEXT    PRIMARY KEY,
    online        BOOLEAN NOT NULL,
    offline_since BIGINT,
    changed_at    BIGINT  NOT NULL
);

-- Preferences: an address, the kinds whose email is off, quiet hours (HH:mm, IANA zone), and the
-- token that authorizes the unsubscribe links of the user's emails.
CREATE TABLE notification_preferences (
    user_id           TEXT   PRIMARY KEY,
    email             TEXT,
    email_off         TEXT[] NOT NULL DEFAULT '{}',
    quiet_start       TEXT,
    quiet_end         TEXT,
    quiet_zone        TEXT,
    unsubscribe_token TEXT   NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- The email outbox: one row per email to send (a notification's, or a digest), claimed by a lease
-- so one instance sends it; 'digest_item' rows wait for their user's digest.
CREATE TABLE notification_emails (
    id              BIGSERIAL PRIMARY KEY,
    user_id         TEXT    NOT NULL,
    notification_id TEXT,
    kind            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'digest_item', 'digested', 'sent', 'failed')),
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    due_at          BIGINT  NOT NULL,
    leased_until    BIGINT,
    attempts        INT     NOT NULL DEFAULT 0,
    last_error      TEXT,
    digest_id       BIGINT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX notification_emails_due ON notification_emails (due_at) WHERE status = 'pending';
CREATE INDEX notification_emails_digest ON notification_emails (due_at) WHERE status = 'digest_item';
CREATE INDEX notification_emails_failed ON notification_emails (id) WHERE status = 'failed';

-- Every delivery attempt, per channel: in_app (queued to the gateways), email (sent, retry, failed,
-- skipped with the reason).
CREATE TABLE notification_attempts (
    id              BIGSERIAL PRIMARY KEY,
    notification_id TEXT,
    email_id        BIGINT,
    user_id         TEXT   NOT NULL,
    channel         TEXT   NOT NULL,
    outcome         TEXT   NOT NULL,
    detail          TEXT,
    at              BIGINT NOT NULL
);
CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id);
CREATE INDEX notification_attempts_email ON notification_attempts (email_id);

-- Announcements as posted (each recipient also gets a notification).
CREATE TABLE notification_announcements (
    id          TEXT   PRIMARY KEY,
    sender_id   TEXT   NOT NULL,
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    priority    TEXT   NOT NULL,
    audience    TEXT   NOT NULL,
    audience_id TEXT,
    recipients  INT    NOT NULL,
    created_at  BIGINT NOT NULL
);
