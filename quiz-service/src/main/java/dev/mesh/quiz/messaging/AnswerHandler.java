package dev.mesh.quiz.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import dev.mesh.quiz.domain.Question;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.Scoring;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.BatchCommandHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code quiz:answer {sessionId, questionIndex, answer}}: judged at the gateway's receive time
 * against the stored deadline plus grace ("time is up" after it), scored, and stored once — the
 * answers table's primary key refuses a second answer of the same participant to the same
 * question (CONFLICT), whichever socket or partition owner it comes through.
 *
 * <p>A quiz burst is thousands of answers in one partition: the answers of one poll come here
 * together ({@link BatchCommandHandler}), and per session one lock and one statement check the
 * participants, store, credit and count them all, instead of round trips per answer. The host
 * gets one {@code quiz:answer_count} per call with the count after it; the last missing answer
 * reveals the question at once.
 */
@Component
public class AnswerHandler implements BatchCommandHandler {

    private final SessionStore sessions;
    private final SessionEngine engine;
    private final QuizProperties settings;
    private final java.time.Clock clock;

    public AnswerHandler(SessionStore sessions, SessionEngine engine, QuizProperties settings, java.time.Clock clock) {
        this.sessions = sessions;
        this.engine = engine;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(QuizCommands.ANSWER);
    }

    @Override
    public Mono<List<Outcome>> handleAll(List<CommandContext> commands) {
        Outcome[] outcomes = new Outcome[commands.size()];
        Map<String, List<Integer>> bySession = new LinkedHashMap<>();
        QuizCommands.Answer[] answers = new QuizCommands.Answer[commands.size()];
        for (int i = 0; i < commands.size(); i++) {
            try {
                answers[i] = valid(commands.get(i).data(QuizCommands.Answer.class));
                bySession.computeIfAbsent(answers[i].sessionId(), id -> new ArrayList<>()).add(i);
            } catch (MeshException refusal) {
                outcomes[i] = Outcome.refused(refusal);
            }
        }
        return Flux.fromIterable(bySession.entrySet())
                .concatMap(session -> answerSession(session.getKey(), session.getValue(), commands, answers, outcomes))
                .then(Mono.fromSupplier(() -> List.of(outcomes)));
    }

    private static QuizCommands.Answer valid(QuizCommands.Answer answer) {
        if (answer.sessionId() == null || answer.sessionId().isBlank()) {
            throw MeshException.validation("sessionId is required");
        }
        if (answer.questionIndex() == null) {
            throw MeshException.validation("questionIndex is required");
        }
        if (answer.answer() == null || answer.answer().isNull()) {
            throw MeshException.validation("answer is required");
        }
        return answer;
    }

    /** The answers (positions {@code at} of the call) to one session: judged in memory, then stored by one statement. */
    private Mono<Void> answerSession(String sessionId, List<Integer> at, List<CommandContext> commands,
                                     QuizCommands.Answer[] answers, Outcome[] outcomes) {
        return sessions.lock(sessionId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(locked -> {
                    if (locked.isEmpty()) {
                        at.forEach(i -> outcomes[i] = Outcome.refused(QuizAccess.noSuchSession()));
                        return Mono.empty();
                    }
                    StoredSession session = locked.get();
                    List<Integer> judged = new ArrayList<>();
                    List<SessionStore.StoredAnswer> rows = new ArrayList<>();
                    for (int i : at) {
                        try {
                            rows.add(judge(session, commands.get(i), answers[i]));
                            judged.add(i);
                        } catch (MeshException refusal) {
                            outcomes[i] = Outcome.refused(refusal);
                        }
                    }
                    return rows.isEmpty() ? Mono.empty()
                            : sessions.recordAnswers(session.id(), rows)
                                    .flatMap(recorded -> answered(session, judged, rows, recorded, commands, outcomes));
                });
    }

    private SessionStore.StoredAnswer judge(StoredSession session, CommandContext command, QuizCommands.Answer answer) {
        if (session.hostId().equals(command.user().id())) {
            throw MeshException.forbidden("The host does not answer");
        }
        int index = answer.questionIndex();
        long receivedAt = command.receivedAt();
        long remaining = session.machine().acceptAnswer(index, receivedAt, engine.graceMs());
        Question question = session.question(index);
        boolean correct = question.judge(answer.answer());
        int points = Scoring.score(correct, question.points(), question.limitMs(), remaining);
        long timeMs = question.limitMs() - Math.min(remaining, question.limitMs());
        return new SessionStore.StoredAnswer(command.user().id(), index, answer.answer(), correct, points, timeMs, receivedAt);
    }

    /** Each answer's outcome; the host's count; the reveal once every participant has answered. */
    private Mono<Void> answered(StoredSession session, List<Integer> judged, List<SessionStore.StoredAnswer> rows,
                                SessionStore.RecordedAnswers recorded, List<CommandContext> commands, Outcome[] outcomes) {
        CommandContext last = null;
        for (int k = 0; k < judged.size(); k++) {
            int i = judged.get(k);
            SessionStore.StoredAnswer row = rows.get(k);
            if (!recorded.participant().get(k)) {
                outcomes[i] = Outcome.refused(MeshException.forbidden("Join the session before answering"));
            } else if (!recorded.recorded().get(k)) {
                outcomes[i] = Outcome.refused(MeshException.conflict("You have already answered this question"));
            } else {
                last = commands.get(i);
                boolean feedback = settings.answerFeedback();
                outcomes[i] = Outcome.applied(MeshJson.tree(new QuizEvents.AnswerSubmitted(true, row.questionIndex(),
                        row.receivedAt(), feedback ? row.correct() : null, feedback ? row.points() : null)));
            }
        }
        if (last == null) {
            return Mono.empty();
        }
        // Published through the last stored answer's command: the count after all of them.
        int index = session.machine().index();
        int answeredNow = recorded.answers().getOrDefault(index, 0);
        CommandContext through = last;
        return through.publish(StreamTopics.quizSessionHost(session.id()), QuizEvents.ANSWER_COUNT, null,
                        new QuizEvents.AnswerCount(index, answeredNow, recorded.participants()))
                .then(answeredNow >= recorded.participants()
                        ? engine.reveal(through, session, clock.millis()).then() : Mono.empty());
    }
}
