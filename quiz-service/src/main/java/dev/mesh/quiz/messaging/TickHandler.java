package dev.mesh.quiz.messaging;

import java.time.Clock;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code quiz:tick {sessionId, index, stateVersion}}, written by {@link DeadlineScheduler} into the
 * session's own partition, so it is ordered with the answers. It acts only if the session is still
 * at the version it was made for and its stored time is due: it reveals the open question, or opens
 * the next one after a reveal's pause. A stale, early or duplicate tick (a second scheduler, a
 * zombie owner) does nothing. Ephemeral in the pipeline's sense: no idempotency record and no reply.
 */
@Component
public class TickHandler implements CommandHandler {

    private final SessionStore sessions;
    private final SessionEngine engine;
    private final Clock clock;

    public TickHandler(SessionStore sessions, SessionEngine engine, Clock clock) {
        this.sessions = sessions;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(QuizCommands.TICK);
    }

    @Override
    public boolean ephemeral() {
        return true;
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        QuizCommands.Tick tick = command.data(QuizCommands.Tick.class);
        long now = clock.millis();
        return sessions.lock(tick.sessionId())
                .flatMap(session -> {
                    QuizSession m = session.machine();
                    return switch (m.tick(tick.index(), tick.stateVersion(), now, engine.graceMs())) {
                        case NOTHING -> Mono.<JsonNode>empty();
                        case REVEAL -> engine.reveal(command, session, now).then(Mono.<JsonNode>empty());
                        case NEXT_QUESTION -> engine.openQuestion(command, session,
                                m.next(now, session.question(m.index() + 1).limitMs()), now).then(Mono.<JsonNode>empty());
                    };
                })
                .defaultIfEmpty(MeshJson.object());
    }
}
