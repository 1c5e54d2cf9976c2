package dev.mesh.quiz.messaging;

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
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code quiz:answer {sessionId, questionIndex, answer}}: judged at the gateway's receive time
 * against the stored deadline plus grace ("time is up" after it), scored, and stored once — the
 * answers table's primary key refuses a second answer of the same participant to the same
 * question (CONFLICT), whichever socket or partition owner it comes through; one statement
 * checks the participant, stores, credits and counts (a burst is thousands of answers in one
 * partition, so round trips count). The host gets
 * {@code quiz:answer_count}; the last missing answer reveals the question at once.
 */
@Component
public class AnswerHandler implements CommandHandler {

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
    public Mono<JsonNode> handle(CommandContext command) {
        QuizCommands.Answer answer = command.data(QuizCommands.Answer.class);
        if (answer.sessionId() == null || answer.sessionId().isBlank()) {
            throw MeshException.validation("sessionId is required");
        }
        if (answer.questionIndex() == null) {
            throw MeshException.validation("questionIndex is required");
        }
        if (answer.answer() == null || answer.answer().isNull()) {
            throw MeshException.validation("answer is required");
        }
        UserRef user = command.user();
        long receivedAt = command.receivedAt();
        return sessions.lock(answer.sessionId())
                .switchIfEmpty(Mono.error(QuizAccess::noSuchSession))
                .flatMap(session -> {
                    if (session.hostId().equals(user.id())) {
                        throw MeshException.forbidden("The host does not answer");
                    }
                    return accept(command, session, answer, receivedAt);
                })
                .map(MeshJson::tree);
    }

    private Mono<QuizEvents.AnswerSubmitted> accept(CommandContext command, StoredSession session,
                                                    QuizCommands.Answer answer, long receivedAt) {
        int index = answer.questionIndex();
        long remaining = session.machine().acceptAnswer(index, receivedAt, engine.graceMs());
        Question question = session.question(index);
        boolean correct = question.judge(answer.answer());
        int points = Scoring.score(correct, question.points(), question.limitMs(), remaining);
        long timeMs = question.limitMs() - Math.min(remaining, question.limitMs());
        String userId = command.user().id();
        SessionStore.StoredAnswer stored = new SessionStore.StoredAnswer(userId, index, answer.answer(), correct, points,
                timeMs, receivedAt);
        return sessions.recordAnswer(session.id(), stored)
                .flatMap(recorded -> {
                    if (!recorded.participant()) {
                        return Mono.error(MeshException.forbidden("Join the session before answering"));
                    }
                    if (!recorded.recorded()) {
                        return Mono.error(MeshException.conflict("You have already answered this question"));
                    }
                    return command.publish(StreamTopics.quizSessionHost(session.id()), QuizEvents.ANSWER_COUNT, null,
                                    new QuizEvents.AnswerCount(index, recorded.answers(), recorded.participants()))
                            .then(recorded.answers() >= recorded.participants()
                                    ? engine.reveal(command, session, clock.millis()).then() : Mono.empty());
                })
                .thenReturn(new QuizEvents.AnswerSubmitted(true, index, receivedAt,
                        settings.answerFeedback() ? correct : null, settings.answerFeedback() ? points : null));
    }
}
