package dev.mesh.quiz.messaging;

import java.time.Clock;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.SessionState;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * The host drives the session: {@code quiz:start}, {@code quiz:next}, {@code quiz:pause},
 * {@code quiz:resume}, {@code quiz:end}. Each is a step of the state machine on the locked row,
 * stored conditionally on its version, with its events; the ack says where the session is now.
 */
@Component
public class ControlHandler implements CommandHandler {

    /** The ack's data. */
    public record Controlled(String sessionId, String state, int index, long stateVersion) {
    }

    private final SessionStore sessions;
    private final SessionEngine engine;
    private final Clock clock;

    public ControlHandler(SessionStore sessions, SessionEngine engine, Clock clock) {
        this.sessions = sessions;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(QuizCommands.START, QuizCommands.NEXT, QuizCommands.PAUSE, QuizCommands.RESUME, QuizCommands.END);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        QuizCommands.Control control = command.data(QuizCommands.Control.class);
        if (control.sessionId() == null || control.sessionId().isBlank()) {
            throw MeshException.validation("sessionId is required");
        }
        String type = command.envelope().type();
        return sessions.lock(control.sessionId())
                .switchIfEmpty(Mono.error(QuizAccess::noSuchSession))
                .flatMap(session -> {
                    QuizAccess.requireHost(command.user(), session.hostId());
                    return apply(command, type, session, clock.millis());
                })
                .map(s -> MeshJson.tree(new Controlled(s.id(), s.machine().state().name(), s.machine().index(),
                        s.machine().stateVersion())));
    }

    private Mono<StoredSession> apply(CommandContext command, String type, StoredSession session, long now) {
        QuizSession m = session.machine();
        return switch (type) {
            case QuizCommands.START -> engine.openQuestion(command, session, m.start(now, session.question(0).limitMs()), now);
            case QuizCommands.NEXT -> {
                QuizSession next = m.next(now, m.index() + 1 < m.total() ? session.question(m.index() + 1).limitMs() : 0);
                yield engine.openQuestion(command, session, next, now);
            }
            case QuizCommands.PAUSE -> engine.save(session, m.pause(now), now)
                    .flatMap(paused -> engine.stateChanged(command, paused).thenReturn(paused));
            case QuizCommands.RESUME -> engine.save(session, m.resume(now), now)
                    .flatMap(resumed -> engine.stateChanged(command, resumed).thenReturn(resumed));
            case QuizCommands.END -> {
                QuizSession ended = m.end();
                yield engine.save(session, ended, now).flatMap(over -> ended.state() == SessionState.cancelled
                        ? engine.stateChanged(command, over).then(engine.completedEvent(command, over, java.util.List.of(), now))
                                .thenReturn(over)
                        : sessions.standings(session.id()).collectList()
                                .flatMap(standings -> engine.completed(command, over, standings, now))
                                .thenReturn(over));
            }
            default -> Mono.error(MeshException.validation(type + " is not a host command"));
        };
    }
}
