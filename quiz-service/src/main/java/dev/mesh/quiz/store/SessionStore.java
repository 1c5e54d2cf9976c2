package dev.mesh.quiz.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * What {@link #recordAnswers} found and did, per answer in the order given: whether its user
     * takes part and whether it was stored; and per question answered, its answer count after the
     * statement and the participant count.
     */
    public record RecordedAnswers(List<Boolean> participant, List<Boolean> recorded, Map<Integer, Integer> answers,
                                  int participants) {
    }

    /** One row of {@link #recordAnswers}' statement: an answer as given, what was found and done. */
    private record AnswerRow(int questionIndex, String userId, boolean member, boolean storedKey, int earlier,
                             int participants) {
    }

    /**
     * Answers of one session in one statement (a quiz burst is thousands of them in one
     * partition, so each round trip counts): an answer is stored only if its user takes part and
     * has not answered that question (the primary key decides; of two in the same call, the
     * first), each stored answer's points credited to its user, and the answer and participant
     * counts read in the same snapshot.
     */
    public Mono<RecordedAnswers> recordAnswers(String sessionId, List<StoredAnswer> given) {
        int n = given.size();
        String[] users = new String[n];
        Integer[] indexes = new Integer[n];
        String[] answers = new String[n];
        Boolean[] correct = new Boolean[n];
        Integer[] points = new Integer[n];
        Long[] times = new Long[n];
        Long[] received = new Long[n];
        for (int i = 0; i < n; i++) {
            StoredAnswer a = given.get(i);
            users[i] = a.userId();
            indexes[i] = a.questionIndex();
            answers[i] = MeshJson.write(a.answer());
            correct[i] = a.correct();
            points[i] = a.points();
            times[i] = a.timeMs();
            received[i] = a.receivedAt();
        }
        return db.sql("""
                        WITH given AS (
                            SELECT * FROM unnest(:users::text[], :indexes::int[], :answers::text[], :correct::boolean[],
                                                 :points::int[], :times::bigint[], :received::bigint[])
                                   WITH ORDINALITY AS g(user_id, question_index, answer, correct, points, time_ms, received_at, n)
                        ), member AS (
                            SELECT g.* FROM given g
                             WHERE EXISTS (SELECT 1 FROM quiz_participants p WHERE p.session_id = :s AND p.user_id = g.user_id)
                        ), stored AS (
                            INSERT INTO quiz_answers (session_id, question_index, user_id, answer, correct, points, time_ms, received_at)
                            SELECT :s, question_index, user_id, answer, correct, points, time_ms, received_at FROM member ORDER BY n
                            ON CONFLICT (session_id, question_index, user_id) DO NOTHING
                            RETURNING question_index, user_id, points, correct, time_ms
                        ), credited AS (
                            UPDATE quiz_participants p
                               SET score = p.score + c.points, correct = p.correct + c.correct, total_time_ms = p.total_time_ms + c.time_ms
                              FROM (SELECT user_id, sum(points) AS points, count(*) FILTER (WHERE correct) AS correct,
                                           sum(time_ms) AS time_ms
                                      FROM stored GROUP BY user_id) c
                             WHERE p.session_id = :s AND p.user_id = c.user_id
                            RETURNING p.user_id
                        ), earlier AS (
                            SELECT question_index, count(*) AS answers FROM quiz_answers
                             WHERE session_id = :s AND question_index IN (SELECT question_index FROM given)
                             GROUP BY question_index
                        )
                        SELECT g.n, g.question_index, g.user_id,
                               EXISTS (SELECT 1 FROM member m WHERE m.n = g.n) AS member,
                               EXISTS (SELECT 1 FROM stored s WHERE s.user_id = g.user_id AND s.question_index = g.question_index) AS stored,
                               coalesce((SELECT e.answers FROM earlier e WHERE e.question_index = g.question_index), 0) AS earlier,
                               (SELECT count(*) FROM quiz_participants WHERE session_id = :s) AS participants,
                               (SELECT count(*) FROM credited) AS credited
                          FROM given g ORDER BY g.n""")
                .bind("s", sessionId)
                .bind("users", users).bind("indexes", indexes).bind("answers", answers).bind("correct", correct)
                .bind("points", points).bind("times", times).bind("received", received)
                .map(row -> new AnswerRow(row.get("question_index", Integer.class), row.get("user_id", String.class),
                        row.get("member", Boolean.class), row.get("stored", Boolean.class),
                        row.get("earlier", Long.class).intValue(), row.get("participants", Long.class).intValue()))
                .all()
                .collectList()
                .map(rows -> {
                    List<Boolean> participant = new ArrayList<>(n);
                    List<Boolean> recorded = new ArrayList<>(n);
                    Map<Integer, Integer> counts = new HashMap<>();
                    java.util.Set<String> claimed = new java.util.HashSet<>();
                    int participants = 0;
                    for (AnswerRow row : rows) {
                        // Of two answers of one user to one question in the same call, the first was stored.
                        boolean stored = row.storedKey() && claimed.add(row.questionIndex() + "\n" + row.userId());
                        participant.add(row.member());
                        recorded.add(stored);
                        // The statement's snapshot does not see its own inserts: "earlier" is without them.
                        counts.putIfAbsent(row.questionIndex(), row.earlier());
                        if (stored) {
                            counts.merge(row.questionIndex(), 1, Integer::sum);
                        }
                        participants = row.participants();
                    }
                    return new RecordedAnswers(participant, recorded, counts, participants);
                });
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
