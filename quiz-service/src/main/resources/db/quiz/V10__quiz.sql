-- quiz-service's tables, in db/quiz (mesh-runtime reads its service's own folder; V1/V2 are the runtime's).
-- Times are epoch milliseconds (BIGINT), the unit of the wire protocol and of the gateway's receivedAt.

-- Quizzes as authored: the validated definition {title, questions, settings} as JSON.
CREATE TABLE quiz_quizzes (
    id         TEXT   PRIMARY KEY,
    owner_id   TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    definition TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX quiz_quizzes_owner ON quiz_quizzes (owner_id, created_at);

-- A live run of a quiz. The questions are a snapshot taken when it was hosted (in the session's
-- order), so editing the quiz does not change a running session. Every transition bumps
-- state_version and is conditional on it; due_at is when the scheduler must tick it.
CREATE TABLE quiz_sessions (
    id                  TEXT    PRIMARY KEY,
    quiz_id             TEXT    NOT NULL,
    title               TEXT    NOT NULL,
    host_id             TEXT    NOT NULL,
    host_name           TEXT    NOT NULL,
    room_id             TEXT,
    join_code           TEXT    NOT NULL,
    questions           TEXT    NOT NULL,
    settings            TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('lobby', 'question', 'reveal', 'paused', 'completed', 'cancelled')),
    state_version       BIGINT  NOT NULL,
    question_index      INT     NOT NULL,
    total               INT     NOT NULL,
    deadline_at         BIGINT,
    next_at             BIGINT,
    due_at              BIGINT,
    paused_from         TEXT,
    paused_remaining_ms BIGINT,
    last_leaderboard_at BIGINT  NOT NULL DEFAULT 0,
    created_at          BIGINT  NOT NULL,
    ended_at            BIGINT
);
-- A join code names one open session at a time.
CREATE UNIQUE INDEX quiz_sessions_open_code ON quiz_sessions (join_code) WHERE state NOT IN ('completed', 'cancelled');
-- The deadline scheduler's scan.
CREATE INDEX quiz_sessions_due ON quiz_sessions (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX quiz_sessions_quiz ON quiz_sessions (quiz_id);

CREATE TABLE quiz_participants (
    session_id    TEXT   NOT NULL REFERENCES quiz_sessions (id) ON DELETE CASCADE,
    user_id       TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    joined_at     BIGINT NOT NULL,
    score         INT    NOT NULL DEFAULT 0,
    correct       INT    NOT NULL DEFAULT 0,
    total_time_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, user_id)
);

-- Every answer. The primary key is the rule "exactly one answer per participant per question":
-- enforced here, not in memory, so neither a second socket nor a new partition owner can break it.
CREATE TABLE quiz_answers (
    session_id     TEXT    NOT NULL REFERENCES quiz_sessions (id) ON DELETE CASCADE,
    question_index INT     NOT NULL,
    user_id        TEXT    NOT NULL,
    answer         TEXT    NOT NULL,
    correct        BOOLEAN NOT NULL,
    points         INT     NOT NULL,
    time_ms        BIGINT  NOT NULL,
    received_at    BIGINT  NOT NULL,
    PRIMARY KEY (session_id, question_index, user_id)
);
