package dev.mesh.quiz.messaging;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.contracts.quiz.QuizEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.quiz.config.QuizProperties;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.Ranking;
import dev.mesh.quiz.domain.SessionState;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code quiz:join {sessionId, sinceSeq?}}: a new participant is added and announced
 * ({@code quiz:participant_update}); an existing one (a reconnect on any gateway, a second device)
 * gets their score and answers back with the open question and its deadline. Either way the
 * socket is attached to the session's topic from the stream's next seq, in the transaction, before
 * the ack. The host joining again is re-attached to both the session and the host topic. Late
 * joins of new participants only with {@code allowLateJoin}.
 */
@Component
public class JoinHandler implements CommandHandler {

    /** One of the participant's answers; correctness and points once the question was revealed (or if configured). */
    public record AnswerView(int questionIndex, JsonNode answer, Boolean isCorrect, Integer points) {
    }

    /**
     * The ack's data: the session's state, the open question (with its deadline; while paused, its
     * remaining time), the caller's score and answers, and the stream's last seq.
     */
    public record Joined(String sessionId, String role, String title, String state, int total, int index,
                         QuizEvents.Question question, Long remainingMs, int score, int correct, List<AnswerView> answers,
                         int participants, long lastSeq, boolean recovered) {
    }

    private final SessionStore sessions;
    private final StreamSeq streams;
    private final StreamLog streamLog;
    private final SessionEngine engine;
    private final QuizProperties settings;
    private final Clock clock;

    public JoinHandler(SessionStore sessions, StreamSeq streams, StreamLog streamLog, SessionEngine engine,
                       QuizProperties settings, Clock clock) {
        this.sessions = sessions;
        this.streams = streams;
        this.streamLog = streamLog;
        this.engine = engine;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(QuizCommands.JOIN);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        QuizCommands.Join join = command.data(QuizCommands.Join.class);
        if (join.sessionId() == null || join.sessionId().isBlank()) {
            throw MeshException.validation("sessionId is required");
        }
        if (join.sinceSeq() != null && join.sinceSeq() < 0) {
            throw MeshException.validation("sinceSeq cannot be negative");
        }
        UserRef user = command.user();
        String topic = StreamTopics.quizSession(join.sessionId());
        return sessions.lock(join.sessionId())
                .switchIfEmpty(Mono.error(QuizAccess::noSuchSession))
                .flatMap(session -> {
                    if (session.hostId().equals(user.id())) {
                        return command.attach(StreamTopics.quizSessionHost(session.id()), 1)
                                .then(snapshot(command, session, "host", null, topic, join.sinceSeq()));
                    }
                    return sessions.participant(session.id(), user.id())
                            .flatMap(existing -> snapshot(command, session, "participant", existing, topic, join.sinceSeq()))
                            .switchIfEmpty(Mono.defer(() -> admit(command, session, topic)));
                })
                .map(MeshJson::tree);
    }

    private Mono<Joined> admit(CommandContext command, StoredSession session, String topic) {
        SessionState state = session.machine().state();
        if (state.isOver()) {
            throw MeshException.conflict("The quiz is over");
        }
        if (state != SessionState.lobby && !session.settings().allowLateJoin()) {
            throw MeshException.conflict("The quiz has already started and does not take late joins");
        }
        UserRef user = command.user();
        Ranking.Standing fresh = new Ranking.Standing(user.id(), user.name(), 0, 0, 0);
        return sessions.addParticipant(session.id(), user.id(), user.name(), clock.millis())
                .then(sessions.participantCount(session.id()))
                .flatMap(count -> engine.publish(command, session, QuizEvents.PARTICIPANT_UPDATE,
                        new QuizEvents.ParticipantUpdate(session.id(), count, user.id(), user.name())))
                .then(snapshot(command, session, "participant", fresh, topic, null));
    }

    /**
     * Reads the stream's seq under its lock, replays what a returning client missed (if it says
     * since when, within the caps), attaches the socket from the next seq, and builds the ack.
     */
    private Mono<Joined> snapshot(CommandContext command, StoredSession session, String role, Ranking.Standing me,
                                  String topic, Long sinceSeq) {
        QuizSession m = session.machine();
        Mono<List<AnswerView>> answers = me == null ? Mono.just(List.of())
                : sessions.answersOf(session.id(), me.userId()).map(a -> view(session, a)).collectList();
        return streams.current(topic).flatMap(lastSeq -> replay(command, topic, sinceSeq, lastSeq)
                .flatMap(recovered -> command.attach(topic, lastSeq + 1)
                        .then(Mono.zip(answers, sessions.participantCount(session.id())))
                        .map(found -> {
                    boolean questionShown = m.state() == SessionState.question
                            || (m.state() == SessionState.paused && m.pausedFrom() == SessionState.question);
                    return new Joined(session.id(), role, session.title(), m.state().name(), m.total(), m.index(),
                            questionShown ? SessionEngine.questionView(session) : null,
                            m.state() == SessionState.paused ? m.pausedRemainingMs() : null,
                            me == null ? 0 : me.score(), me == null ? 0 : me.correct(), found.getT1(), found.getT2(), lastSeq,
                            recovered);
                })));
    }

    /**
     * The events after {@code sinceSeq}, to this socket only, before the attach and the ack; emits
     * whether the gap was replayed whole (false beyond the caps: the ack's snapshot stands in).
     */
    private Mono<Boolean> replay(CommandContext command, String topic, Long sinceSeq, long lastSeq) {
        if (sinceSeq == null || sinceSeq >= lastSeq) {
            return Mono.just(sinceSeq == null || sinceSeq == lastSeq);
        }
        return streamLog.replay(topic, sinceSeq, settings.replayMaxEvents(), settings.replayMaxBytes().toBytes())
                .flatMap(missed -> {
                    if (!missed.complete() || missed.events().size() != lastSeq - sinceSeq) {
                        return Mono.just(false);
                    }
                    return Flux.fromIterable(missed.events())
                            .concatMap(e -> command.publishToSession(topic, e.type(), e.seq(), e.data()))
                            .then(Mono.just(true));
                });
    }

    private AnswerView view(StoredSession session, SessionStore.StoredAnswer answer) {
        QuizSession m = session.machine();
        boolean open = answer.questionIndex() == m.index() && (m.state() == SessionState.question
                || (m.state() == SessionState.paused && m.pausedFrom() == SessionState.question));
        boolean shown = !open || settings.answerFeedback();
        return new AnswerView(answer.questionIndex(), answer.answer(), shown ? answer.correct() : null,
                shown ? answer.points() : null);
    }
}
