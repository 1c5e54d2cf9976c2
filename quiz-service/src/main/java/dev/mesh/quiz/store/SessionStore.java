package dev.mesh.quiz.store;

import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.quiz.domain.Question;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.QuizSettings;
import dev.mesh.quiz.domain.Ranking;
import dev.mesh.quiz.domain.SessionState;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sessions, participants and answers. The session row is the unit of locking: every command
 * of a session reads it {@code FOR UPDATE}, and every state change is conditional on its
 * {@code state_version}.
 */
@Repository
public class SessionStore {

    /** The stored snapshot of what a session asks. */
    public record Snapshot(List<Question> questions) {
    }

    /** A stored answer. */
    public record StoredAnswer(String userId, int questionIndex, JsonNode answer, boolean correct, int points,
                               long timeMs, long receivedAt) {
    }

    /** A session whose timer is due, for the scheduler. */
    public record Due(String sessionId, int index, long stateVersion) {
    }

    private static final String COLUMNS = """
            id, quiz_id, title, host_id, host_name, room_id, join_code, questions, settings, state, state_version,
            question_index, total, deadline_at, next_at, paused_from, paused_remaining_ms, last_leaderboard_at, created_at""";

    private final DatabaseClient db;

    public SessionStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> insert(StoredSession s) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO quiz_sessions (id, quiz_id, title, host_id, host_name, room_id, join_code, questions,
                                                   settings, state, state_version, question_index, total, created_at)
                        VALUES (:id, :quiz, :title, :host, :hostName, :room, :code, :questions, :settings, :state, :version,
                                :index, :total, :created)""")
                .bind("id", s.id())
                .bind("quiz", s.quizId())
                .bind("title", s.title())
                .bind("host", s.hostId())
                .bind("hostName", s.hostName())
                .bind("code", s.joinCode())
                .bind("questions", MeshJson.write(new Snapshot(s.questions())))
                .bind("settings", MeshJson.write(s.settings()))
                .bind("state", s.machine().state().name())
                .bind("version", s.machine().stateVersion())
                .bind("index", s.machine().index())
                .bind("total", s.machine().total())
                .bind("created", s.createdAt());
        insert = s.roomId() == null ? insert.bindNull("room", String.class) : insert.bind("room", s.roomId());
        return insert.then();
    }

    /** Whether an open session already uses the code. */
    public Mono<Boolean> codeInUse(String code) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM quiz_sessions WHERE join_code = :code AND state NOT IN ('completed', 'cancelled'))")
                .bind("code", code)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** The open session with the code. */
    public Mono<StoredSession> byCode(String code) {
        return db.sql("SELECT " + COLUMNS + " FROM quiz_sessions WHERE join_code = :code AND state NOT IN ('completed', 'cancelled')")
                .bind("code", code)
                .map(SessionStore::session)
                .one();
    }

    public Mono<StoredSession> find(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM quiz_sessions WHERE id = :id")
                .bind("id", id)
                .map(SessionStore::session)
                .one();
    }

    /** The session with its row locked until the transaction ends. */
    public Mono<StoredSession> lock(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM quiz_sessions WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map(SessionStore::session)
                .one();
    }

    /**
     * Stores a transition, only if the row is still at the version it was read at; emits false
     * otherwise (someone else moved it: a zombie owner's change does nothing).
     */
    public Mono<Boolean> save(String id, long expectedVersion, QuizSession m, long dueAt0, long endedAt) {
        Long dueAt = dueAt0 < 0 ? null : dueAt0;
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                        UPDATE quiz_sessions SET state = :state, state_version = :version, question_index = :index,
                               deadline_at = :deadline, next_at = :next, due_at = :due, paused_from = :pausedFrom,
                               paused_remaining_ms = :pausedRemaining,
                               ended_at = CASE WHEN :ended > 0 THEN :ended ELSE ended_at END
                         WHERE id = :id AND state_version = :expected""")
                .bind("id", id)
                .bind("expected", expectedVersion)
                .bind("state", m.state().name())
                .bind("version", m.stateVersion())
                .bind("index", m.index())
                .bind("ended", endedAt);
        update = bindLong(update, "deadline", m.deadline());
        update = bindLong(update, "next", m.nextAt());
        update = bindLong(update, "due", dueAt);
        update = bindLong(update, "pausedRemaining", m.pausedRemainingMs());
        update = m.pausedFrom() == null ? update.bindNull("pausedFrom", String.class)
                : update.bind("pausedFrom", m.pausedFrom().name());
        return update.fetch().rowsUpdated().map(n -> n == 1);
    }

    public Mono<Void> leaderboardSent(String id, long at) {
        return db.sql("UPDATE quiz_sessions SET last_leaderboard_at = :at WHERE id = :id")
                .bind("id", id).bind("at", at).then();
    }

    /** Sessions whose timer is due at {@code now}, oldest first. */
    public Flux<Due> due(long now, int limit) {
        return db.sql("""
                        SELECT id, question_index, state_version FROM quiz_sessions
                         WHERE due_at IS NOT NULL AND due_at <= :now ORDER BY due_at LIMIT :limit""")
                .bind("now", now)
                .bind("limit", limit)
                .map(row -> new Due(row.get("id", String.class), row.get("question_index", Integer.class),
                        row.get("state_version", Long.class)))
                .all();
    }

    // ---- participants ----

    public Mono<Ranking.Standing> participant(String sessionId, String userId) {
        return db.sql("SELECT user_id, name, score, correct, total_time_ms FROM quiz_participants WHERE session_id = :s AND user_id = :u")
                .bind("s", sessionId)
                .bind("u", userId)
                .map(SessionStore::standing)
                .one();
    }

    public Mono<Void> addParticipant(String sessionId, String userId, String name, long joinedAt) {
        return db.sql("INSERT INTO quiz_participants (session_id, user_id, name, joined_at) VALUES (:s, :u, :n, :at)")
                .bind("s", sessionId).bind("u", userId).bind("n", name).bind("at", joinedAt)
                .then();
    }

    public Mono<Integer> participantCount(String sessionId) {
        return db.sql("SELECT count(*) FROM quiz_participants WHERE session_id = :s")
                .bind("s", sessionId)
                .map(row -> row.get(0, Long.class).intValue())
                .one();
    }

    public Flux<Ranking.Standing> standings(String sessionId) {
        return db.sql("SELECT user_id, name, score, correct, total_time_ms FROM quiz_participants WHERE session_id = :s")
                .bind("s", sessionId)
                .map(SessionStore::standing)
                .all();
    }

    /** Participants who did not answer a closed question are charged its whole time limit (ties rank by answer time). */
    public Mono<Void> chargeUnanswered(String sessionId, int index, long limitMs) {
        return db.sql("""
                        UPDATE quiz_participants p SET total_time_ms = total_time_ms + :limit
                         WHERE p.session_id = :s AND NOT EXISTS (
                               SELECT 1 FROM quiz_answers a WHERE a.session_id = p.session_id
                                  AND a.question_index = :index AND a.user_id = p.user_id)""")
                .bind("s", sessionId).bind("index", index).bind("limit", limitMs)
                .then();
    }

    // ---- answers ----

    /** Inserts the answer unless the participant already answered this question; emits whether it was inserted. */
    /** What {@link #recordAnswer} found and did: the counts include this answer when it was recorded. */
    public record RecordedAnswer(boolean participant, boolean recorded, int answers, int participants) {
    }

    /**
     * One participant's answer in one statement (a quiz burst is thousands of these in one
     * partition, so each round trip counts): the answer stored only if the user takes part and
     * has not answered this question (the primary key decides), their score credited only if it
     * was stored, and the question's answer count and the participant count read in the same
     * snapshot.
     */
    public Mono<RecordedAnswer> recordAnswer(String sessionId, StoredAnswer a) {
        return db.sql("""
                        WITH member AS (
                            SELECT user_id FROM quiz_participants WHERE session_id = :s AND user_id = :u
                        ), stored AS (
                            INSERT INTO quiz_answers (session_id, question_index, user_id, answer, correct, points, time_ms, received_at)
                            SELECT :s, :index, user_id, :answer, :correct, :points, :time, :received FROM member
                            ON CONFLICT (session_id, question_index, user_id) DO NOTHING
                            RETURNING user_id
                        ), credited AS (
                            UPDATE quiz_participants SET score = score + :points, correct = correct + :correctCount,
                                   total_time_ms = total_time_ms + :time
                             WHERE session_id = :s AND user_id IN (SELECT user_id FROM stored)
                            RETURNING user_id
                        )
                        SELECT (SELECT count(*) FROM member) AS member,
                               (SELECT count(*) FROM credited) AS recorded,
                               (SELECT count(*) FROM quiz_answers WHERE session_id = :s AND question_index = :index) AS earlier,
                               (SELECT count(*) FROM quiz_participants WHERE session_id = :s) AS participants""")
                .bind("s", sessionId)
                .bind("index", a.questionIndex())
                .bind("u", a.userId())
                .bind("answer", MeshJson.write(a.answer()))
                .bind("correct", a.correct())
                .bind("correctCount", a.correct() ? 1 : 0)
                .bind("points", a.points())
                .bind("time", a.timeMs())
                .bind("received", a.receivedAt())
                .map(row -> {
                    boolean recorded = row.get("recorded", Long.class) == 1;
                    // The statement's snapshot does not see its own insert: "earlier" is without this answer.
                    int answers = row.get("earlier", Long.class).intValue() + (recorded ? 1 : 0);
                    return new RecordedAnswer(row.get("member", Long.class) == 1, recorded, answers,
                            row.get("participants", Long.class).intValue());
                })
                .one();
    }

    public Flux<StoredAnswer> answers(String sessionId, int index) {
        return db.sql("SELECT * FROM quiz_answers WHERE session_id = :s AND question_index = :index ORDER BY received_at, user_id")
                .bind("s", sessionId).bind("index", index)
                .map(SessionStore::answer)
                .all();
    }

    public Flux<StoredAnswer> answersOf(String sessionId, String userId) {
        return db.sql("SELECT * FROM quiz_answers WHERE session_id = :s AND user_id = :u ORDER BY question_index")
                .bind("s", sessionId).bind("u", userId)
                .map(SessionStore::answer)
                .all();
    }

    public Flux<StoredAnswer> allAnswers(String sessionId) {
        return db.sql("SELECT * FROM quiz_answers WHERE session_id = :s ORDER BY question_index, received_at, user_id")
                .bind("s", sessionId)
                .map(SessionStore::answer)
                .all();
    }

    private static DatabaseClient.GenericExecuteSpec bindLong(DatabaseClient.GenericExecuteSpec spec, String name, Long value) {
        return value == null ? spec.bindNull(name, Long.class) : spec.bind(name, value);
    }

    private static Ranking.Standing standing(Readable row) {
        return new Ranking.Standing(row.get("user_id", String.class), row.get("name", String.class),
                row.get("score", Integer.class), row.get("correct", Integer.class), row.get("total_time_ms", Long.class));
    }

    private static StoredAnswer answer(Readable row) {
        return new StoredAnswer(row.get("user_id", String.class), row.get("question_index", Integer.class),
                MeshJson.read(row.get("answer", String.class), JsonNode.class), row.get("correct", Boolean.class),
                row.get("points", Integer.class), row.get("time_ms", Long.class), row.get("received_at", Long.class));
    }

    private static StoredSession session(Readable row) {
        String pausedFrom = row.get("paused_from", String.class);
        QuizSession machine = new QuizSession(SessionState.valueOf(row.get("state", String.class)),
                row.get("state_version", Long.class), row.get("question_index", Integer.class),
                row.get("total", Integer.class), row.get("deadline_at", Long.class), row.get("next_at", Long.class),
                pausedFrom == null ? null : SessionState.valueOf(pausedFrom), row.get("paused_remaining_ms", Long.class));
        return new StoredSession(row.get("id", String.class), row.get("quiz_id", String.class),
                row.get("title", String.class), row.get("host_id", String.class), row.get("host_name", String.class),
                row.get("room_id", String.class), row.get("join_code", String.class),
                MeshJson.read(row.get("questions", String.class), Snapshot.class).questions(),
                MeshJson.read(row.get("settings", String.class), QuizSettings.class), machine,
                row.get("last_leaderboard_at", Long.class), row.get("created_at", Long.class));
    }
}
