package dev.mesh.quiz.messaging;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.contracts.quiz.QuizEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.quiz.config.QuizProperties;
import dev.mesh.quiz.domain.JoinCodes;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.UuidV7;
import dev.mesh.quiz.store.QuizStore;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredQuiz;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code quiz:host {quizId, roomId?}} (keyed by the quiz): the owner (or an admin) opens a session
 * in the lobby with a fresh 6-digit join code and the quiz's questions as of now; the host's
 * session is attached to the session topic and the host-only topic; {@code QuizSessionOpened}
 * (with the linked room) tells the other services.
 */
@Component
public class HostHandler implements CommandHandler {

    /** The ack's data. */
    public record Hosted(String sessionId, String joinCode, String state, String title, int total, long lastSeq) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final QuizStore quizzes;
    private final SessionStore sessions;
    private final QuizProperties settings;
    private final Clock clock;

    public HostHandler(QuizStore quizzes, SessionStore sessions, QuizProperties settings, Clock clock) {
        this.quizzes = quizzes;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(QuizCommands.HOST);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        QuizCommands.Host host = command.data(QuizCommands.Host.class);
        if (host.quizId() == null || host.quizId().isBlank()) {
            throw MeshException.validation("quizId is required");
        }
        if (host.roomId() != null && (host.roomId().isBlank() || host.roomId().length() > 200)) {
            throw MeshException.validation("roomId must be a room id");
        }
        UserRef user = command.user();
        return quizzes.find(host.quizId())
                .switchIfEmpty(Mono.error(QuizAccess::noSuchQuiz))
                .flatMap(quiz -> {
                    QuizAccess.requireOwner(user, quiz.ownerId());
                    return freeCode(settings.joinCodeAttempts()).flatMap(code -> open(command, quiz, host.roomId(), code));
                })
                .map(MeshJson::tree);
    }

    private Mono<Hosted> open(CommandContext command, StoredQuiz quiz, String roomId, String code) {
        UserRef user = command.user();
        long now = clock.millis();
        StoredSession session = new StoredSession(UuidV7.next(), quiz.id(), quiz.definition().title(), user.id(), user.name(),
                roomId, code, quiz.definition().forSession(RANDOM), quiz.definition().settings(),
                QuizSession.opened(quiz.definition().questions().size()), 0, now);
        return sessions.insert(session)
                .then(command.event(Topics.QUIZ_EVENTS, session.id(), new QuizEvents.QuizSessionOpened(UuidV7.next(),
                        session.id(), quiz.id(), session.title(), user.id(), user.name(), roomId, code, now)))
                .then(command.attach(StreamTopics.quizSession(session.id()), 1))
                .then(command.attach(StreamTopics.quizSessionHost(session.id()), 1))
                .thenReturn(new Hosted(session.id(), code, session.machine().state().name(), session.title(),
                        session.machine().total(), 0));
    }

    private Mono<String> freeCode(int attemptsLeft) {
        if (attemptsLeft <= 0) {
            return Mono.error(new MeshException(dev.mesh.contracts.wire.ErrorCode.UNAVAILABLE,
                    "No free join code was found; retry"));
        }
        String code = JoinCodes.next(RANDOM);
        return sessions.codeInUse(code).flatMap(used -> used ? freeCode(attemptsLeft - 1) : Mono.just(code));
    }
}
